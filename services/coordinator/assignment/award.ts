// Awards travel on JetStream (durable until the winner acknowledges them); the message id makes a
// re-publish after a crash a no-op.
import type { Award } from '../../shared/protocol/messages.js';
import { encode } from '../../shared/protocol/messages.js';
import { awardSubject } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext, Tx } from '../context.js';

/** Publishes the award of an assignment; `db` is the caller's transaction when it holds one. */
export async function publishAward(
  ctx: CoordinatorContext,
  db: Tx,
  jobId: string,
  attempt: number,
): Promise<void> {
  const assignment = await db.assignment.findUniqueOrThrow({
    where: { jobId_attempt: { jobId, attempt } },
    include: { job: { include: { _count: { select: { items: true } } } } },
  });
  const { job } = assignment;
  const award: Award = {
    jobId,
    attempt,
    prover: assignment.prover,
    priceWei: assignment.priceWei,
    circuitId: job.circuitId,
    batchSize: job._count.items,
    deadline: Math.floor(job.deadline.getTime() / 1000),
    inputsHash: job.inputsHash,
    coordinatorUrl: ctx.publicUrl(),
  };
  await ctx.js.publish(awardSubject(assignment.prover), encode(award), {
    msgID: `award:${jobId}:${attempt}`,
  });
  const auction = await db.auction.findFirst({
    where: { jobId, attempt, status: 'AWARDED' },
    orderBy: { round: 'desc' },
  });
  if (auction) ctx.metrics.awardLatency.observe((Date.now() - auction.opensAt.getTime()) / 1000);
}
