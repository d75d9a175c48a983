// Failed attempts and re-auctions: a failed winner is excluded and slashed (through the outbox),
// and the job goes back to auction while its deadline still leaves time, else it expires.

import type { CoordinatorConfig } from '../config.js';
import type { Tx } from '../context.js';
import { moveJob } from './job-transitions.js';

/** Marks the active attempt of `jobId` failed and queues the on-chain reopen with a slash. */
export async function failAttempt(tx: Tx, jobId: string, attempt: number, reason: string): Promise<boolean> {
  const assignment = await tx.assignment.findUnique({ where: { jobId_attempt: { jobId, attempt } } });
  if (!assignment || assignment.status === 'FAILED' || assignment.status === 'COMPLETED') return false;
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
  const moved = await moveJob(tx, jobId, ['ASSIGNED', 'PROVING', 'VERIFYING'], 'FAILED_ATTEMPT', reason, {
    excludedProvers: { set: [...new Set([...job.excludedProvers, assignment.prover])] },
    failureReason: reason,
  });
  if (!moved) return false;
  await tx.assignment.update({ where: { id: assignment.id }, data: { status: 'FAILED' } });
  await tx.prover.updateMany({ where: { address: assignment.prover }, data: { failures: { increment: 1 } } });
  await tx.proof.deleteMany({ where: { jobId } });
  await tx.outboxAction.create({
    data: {
      kind: 'REOPEN',
      jobId,
      payload: { attempt, prover: assignment.prover, slash: assignment.status === 'ACTIVE' },
      idempotencyKey: `reopen:${jobId}:${attempt}`,
    },
  });
  return true;
}

/** Time the fastest known prover needs for this job (0 when none is known yet). */
async function fastestEstimateMs(tx: Tx, gates: number, items: number): Promise<number> {
  const fastest = await tx.prover.findFirst({ orderBy: { gatesPerSec: 'desc' } });
  return fastest && fastest.gatesPerSec > 0 ? Math.ceil(((gates * items) / fastest.gatesPerSec) * 1000) : 0;
}

/** True when an auction opening at `opensAt` can still lead to a settled proof by the deadline. */
export async function timeRemains(
  tx: Tx,
  jobId: string,
  opensAt: number,
  config: CoordinatorConfig,
): Promise<boolean> {
  const job = await tx.job.findUniqueOrThrow({
    where: { id: jobId },
    include: { circuit: { select: { gates: true } }, _count: { select: { items: true } } },
  });
  const estimate = await fastestEstimateMs(tx, job.circuit.gates, job._count.items);
  return opensAt + config.auctionWindowMs + estimate + config.settleMarginMs <= job.deadline.getTime();
}

/** Ends a job that can no longer be proved in time: refund through Market.expire after its deadline. */
export async function expireJob(tx: Tx, jobId: string, from: Parameters<typeof moveJob>[2], reason: string) {
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
  if (!(await moveJob(tx, jobId, from, 'EXPIRED', reason))) return false;
  await tx.outboxAction.create({
    data: {
      kind: 'EXPIRE',
      jobId,
      payload: {},
      idempotencyKey: `expire:${jobId}`,
      notBefore: new Date(job.deadline.getTime() + 1500),
    },
  });
  return true;
}

/** After the chain reopened the job: auction it again (next attempt) or expire it. */
export async function reauction(
  tx: Tx,
  jobId: string,
  config: CoordinatorConfig,
): Promise<'AUCTIONING' | 'EXPIRED' | 'NONE'> {
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
  if (job.status !== 'FAILED_ATTEMPT') return 'NONE';
  const now = Date.now();
  if (!(await timeRemains(tx, jobId, now, config))) {
    await expireJob(tx, jobId, ['FAILED_ATTEMPT'], 'no time left to re-auction');
    return 'EXPIRED';
  }
  const attempt = job.attempt + 1;
  await moveJob(tx, jobId, ['FAILED_ATTEMPT'], 'AUCTIONING', `re-auction, attempt ${attempt}`, {
    attempt,
    winner: null,
    clearingPriceWei: null,
  });
  await tx.auction.create({
    data: {
      jobId,
      attempt,
      round: 0,
      rule: job.rule,
      opensAt: new Date(now),
      closesAt: new Date(now + config.auctionWindowMs),
    },
  });
  return 'AUCTIONING';
}
