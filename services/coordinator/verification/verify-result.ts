// Where proofs are judged: each result must be signed by the assigned prover, verify against the
// registered VK, and carry exactly the public inputs its batch item implies. A valid proof of
// something else is an invalid result. When every item is verified, settlement is queued.
import type { JsMsg } from '@nats-io/jetstream';
import type { Abi } from '@noir-lang/types';
import { parseResult } from '../../shared/protocol/messages.js';
import { verifySigned } from '../../shared/protocol/signed-message.js';
import { BadMessageError } from '../../shared/protocol/validate.js';
import { acirBytes } from '../../shared/proving/circuit-artifact.js';
import type { PreparedCircuit } from '../../shared/proving/circuit-prover.js';
import { verifyProof } from '../../shared/proving/circuit-prover.js';
import { AWARDED } from '../assignment/award.js';
import type { CoordinatorContext } from '../context.js';
import { failAttempt } from '../lifecycle/attempts.js';
import { moveJob } from '../lifecycle/job-transitions.js';
import { resultHash } from '../settlement/outbox.js';

const circuits = new Map<string, PreparedCircuit>();

async function prepared(ctx: CoordinatorContext, circuitId: string): Promise<PreparedCircuit> {
  const cached = circuits.get(circuitId);
  if (cached) return cached;
  const c = await ctx.prisma.circuit.findUniqueOrThrow({ where: { id: circuitId } });
  const artifact = {
    name: c.name,
    noirVersion: c.noirVersion,
    abi: c.abi as unknown as Abi,
    bytecode: c.bytecode,
  };
  const p: PreparedCircuit = {
    id: c.id,
    name: c.name,
    artifact,
    acir: acirBytes(artifact),
    dyadic: c.dyadic,
    size: { gates: c.gates, dyadic: c.dyadic },
    vk: new Uint8Array(c.vk),
  };
  circuits.set(circuitId, p);
  return p;
}

/**
 * True when this prover's award of this attempt may be in a close that has not committed yet:
 * a round past its window and still open, or one awarded to it since the assignment was read.
 */
async function awardInFlight(ctx: CoordinatorContext, jobId: string, attempt: number, prover: string) {
  const round = await ctx.prisma.auction.findFirst({
    where: {
      jobId,
      attempt,
      OR: [
        { status: 'OPEN', announced: true, closesAt: { lte: new Date() } },
        { status: 'AWARDED', winner: prover },
      ],
    },
    select: { id: true },
  });
  return round !== null;
}

/** Handles one result message and acknowledges it (term() for messages that can never be valid). */
export async function onResult(ctx: CoordinatorContext, msg: JsMsg): Promise<string> {
  let result: ReturnType<typeof parseResult>;
  try {
    result = parseResult(msg.data);
  } catch (err) {
    msg.term();
    ctx.metrics.messagesRejected.inc({ kind: 'result' });
    return err instanceof BadMessageError ? `malformed: ${err.message}` : 'malformed';
  }
  const { body } = result;
  if (!verifySigned(result) || result.signer.toLowerCase() !== body.prover.toLowerCase()) {
    msg.term();
    ctx.metrics.messagesRejected.inc({ kind: 'result' });
    return 'bad signature';
  }
  const prover = body.prover.toLowerCase();
  const assignment = await ctx.prisma.assignment.findUnique({
    where: { jobId_attempt: { jobId: body.jobId, attempt: body.attempt } },
    include: {
      job: { include: { items: { where: { index: body.itemIndex } }, _count: { select: { items: true } } } },
    },
  });
  if (
    !assignment &&
    msg.info.deliveryCount < 20 &&
    (await awardInFlight(ctx, body.jobId, body.attempt, prover))
  ) {
    // The award goes out before the transaction that closes its round commits: a fast winner's
    // first result can arrive before its assignment row is visible. Look again shortly.
    msg.nak(250);
    return 'assignment not yet written; redelivering';
  }
  if (!assignment || assignment.prover !== prover || !AWARDED.includes(assignment.status)) {
    msg.term();
    return 'not the active assignment';
  }
  const item = assignment.job.items[0];
  if (!item) {
    msg.term();
    return 'no such batch item';
  }
  const existing = await ctx.prisma.proof.findUnique({
    where: { jobId_itemIndex: { jobId: body.jobId, itemIndex: body.itemIndex } },
  });
  if (existing && existing.attempt === body.attempt) {
    msg.ack();
    return 'duplicate';
  }

  const circuit = await prepared(ctx, assignment.job.circuitId);
  const proof = { proof: new Uint8Array(Buffer.from(body.proof, 'base64')), publicInputs: body.publicInputs };
  const started = performance.now();
  const valid = await verifyProof(ctx.verifier, circuit, proof, item.publicInputs as string[]);
  ctx.metrics.verifySeconds.observe({ circuit: circuit.name }, (performance.now() - started) / 1000);
  const log = ctx.log.child({ jobId: body.jobId, prover, item: body.itemIndex });
  if (!valid) {
    await ctx.prisma.$transaction((tx) =>
      failAttempt(
        tx,
        body.jobId,
        body.attempt,
        `invalid proof for batch item ${body.itemIndex} from ${prover}`,
      ),
    );
    ctx.metrics.failures.inc({ reason: 'invalid_proof' });
    log.warn('invalid proof: attempt failed');
    msg.ack();
    ctx.kick.outbox();
    return 'invalid';
  }
  await ctx.prisma.$transaction(async (tx) => {
    await tx.proof.upsert({
      where: { jobId_itemIndex: { jobId: body.jobId, itemIndex: body.itemIndex } },
      update: {
        attempt: body.attempt,
        prover,
        proof: Buffer.from(proof.proof),
        publicInputs: proof.publicInputs,
      },
      create: {
        jobId: body.jobId,
        itemIndex: body.itemIndex,
        attempt: body.attempt,
        prover,
        proof: Buffer.from(proof.proof),
        publicInputs: proof.publicInputs,
      },
    });
    const proofs = await tx.proof.findMany({
      where: { jobId: body.jobId, attempt: body.attempt },
      orderBy: { itemIndex: 'asc' },
    });
    await tx.assignment.update({ where: { id: assignment.id }, data: { progress: proofs.length } });
    if (proofs.length === assignment.job._count.items) {
      const moved = await moveJob(
        tx,
        body.jobId,
        ['ASSIGNED', 'PROVING'],
        'VERIFYING',
        'all batch items verified',
      );
      if (moved) {
        ctx.metrics.provingSeconds.observe(
          { circuit: circuit.name },
          (Date.now() - assignment.createdAt.getTime()) / 1000,
        );
        await tx.assignment.update({ where: { id: assignment.id }, data: { status: 'COMPLETED' } });
        await tx.outboxAction.create({
          data: {
            kind: 'SETTLE',
            jobId: body.jobId,
            payload: {
              attempt: body.attempt,
              resultHash: resultHash(proofs.map((p) => new Uint8Array(p.proof))),
            },
            idempotencyKey: `settle:${body.jobId}`,
          },
        });
      }
    }
  });
  log.info({ ms: Math.round(performance.now() - started) }, 'proof verified');
  msg.ack();
  ctx.kick.outbox();
  return 'valid';
}
