// Provers introduce themselves with a signed hello: capabilities and measured speed, which the
// auction uses to refuse bids that cannot meet a deadline. Only provers registered on-chain are
// listed: an unknown key gets a refusal and leaves no row behind.
import type { Msg } from '@nats-io/transport-node';
import { errorMessage } from '../../shared/errors.js';
import type { HelloReply } from '../../shared/protocol/messages.js';
import { encode, parseHello } from '../../shared/protocol/messages.js';
import { verifySigned } from '../../shared/protocol/signed-message.js';
import { subjectProver } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext } from '../context.js';

async function judgeHello(ctx: CoordinatorContext, msg: Msg): Promise<HelloReply> {
  const hello = parseHello(msg.data);
  const b = hello.body;
  const address = b.prover.toLowerCase();
  if (!verifySigned(hello) || hello.signer.toLowerCase() !== address) {
    return { ok: false, reason: 'signature does not match the prover' };
  }
  if (subjectProver(msg.subject) !== address)
    return { ok: false, reason: "a hello goes on its own prover's subject" };
  if (!(await ctx.chain.staking.getFunction('isRegistered')(address))) {
    return { ok: false, reason: `${address} is not registered on-chain: run gavel prover register` };
  }
  const replayed = ctx.replay.check(`hello:${address}`, b.at);
  if (replayed) return { ok: false, reason: `hello refused: ${replayed}` };
  const { name, backend, threads, maxDyadic, gatesPerSec } = b;
  const { proofSystems = ['ultrahonk'], plonkGatesPerSec = 0 } = b;
  const fields = {
    ...{ name, backend, threads, maxDyadic, gatesPerSec, proofSystems, plonkGatesPerSec },
    lastSeen: new Date(),
    helloAt: BigInt(b.at),
  };
  // Replicas share the database: only a hello newer than the last one stored is taken, whichever
  // replica saw that one.
  const taken = await ctx.prisma.$transaction(async (tx) => {
    const stored = await tx.prover.updateMany({ where: { address, helloAt: { lt: b.at } }, data: fields });
    if (stored.count > 0) return true;
    return (await tx.prover.createMany({ data: [{ address, ...fields }], skipDuplicates: true })).count > 0;
  });
  if (!taken)
    return { ok: false, reason: `hello refused: timestamp ${b.at} is not after the last hello: replayed` };
  ctx.log.info({ prover: address, backend, gatesPerSec }, 'prover hello');
  return { ok: true };
}

export async function onHello(ctx: CoordinatorContext, msg: Msg): Promise<void> {
  let reply: HelloReply;
  try {
    reply = ctx.limits.hellos.take(subjectProver(msg.subject))
      ? await judgeHello(ctx, msg)
      : { ok: false, reason: 'too many hellos from this prover: try again in a minute' };
  } catch (err) {
    reply = { ok: false, reason: errorMessage(err) };
  }
  if (!reply.ok) ctx.metrics.messagesRejected.inc({ kind: 'hello' });
  if (msg.reply) msg.respond(encode(reply));
}
