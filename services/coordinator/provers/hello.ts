// Provers introduce themselves with a signed hello: capabilities and measured speed, which the
// auction uses to refuse bids that cannot meet a deadline.
import type { Msg } from '@nats-io/transport-node';
import { encode, parseHello } from '../../shared/protocol/messages.js';
import { verifySigned } from '../../shared/protocol/signed-message.js';
import type { CoordinatorContext } from '../context.js';

export async function onHello(ctx: CoordinatorContext, msg: Msg): Promise<void> {
  let reply: { ok: boolean; reason?: string };
  try {
    const hello = parseHello(msg.data);
    if (!verifySigned(hello) || hello.signer.toLowerCase() !== hello.body.prover.toLowerCase()) {
      reply = { ok: false, reason: 'signature does not match the prover' };
    } else {
      const b = hello.body;
      const address = b.prover.toLowerCase();
      const fields = {
        name: b.name,
        backend: b.backend,
        threads: b.threads,
        maxDyadic: b.maxDyadic,
        gatesPerSec: b.gatesPerSec,
        lastSeen: new Date(),
      };
      await ctx.prisma.prover.upsert({ where: { address }, update: fields, create: { address, ...fields } });
      ctx.log.info({ prover: address, backend: b.backend, gatesPerSec: b.gatesPerSec }, 'prover hello');
      reply = { ok: true };
    }
  } catch (err) {
    ctx.metrics.messagesRejected.inc({ kind: 'hello' });
    reply = { ok: false, reason: err instanceof Error ? err.message : 'malformed hello' };
  }
  if (msg.reply) msg.respond(encode(reply));
}
