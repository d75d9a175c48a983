// Failed attempts and re-auctions: a failed winner is excluded, the chain is shown the evidence
// (through the outbox), and the job goes back to auction while its deadline leaves time, else it
// expires.
import type { ChainTime } from '../../shared/chain/chain-clock.js';
import { estimateProvingMs } from '../../shared/protocol/estimates.js';
import type { CoordinatorConfig } from '../config.js';
import type { Tx } from '../context.js';
import { moveAssignment } from './assignment-transitions.js';
import { scheduleRound } from './auction-transitions.js';
import { moveJob } from './job-transitions.js';
import { enqueue, type InvalidResult } from './outbox-entries.js';

const ACTIVE_JOB = ['ASSIGNED', 'PROVING', 'VERIFYING'] as const;

/** Adds `prover` to the job's excluded provers: it will not be awarded this job again. */
async function excluding(tx: Tx, jobId: string, prover: string) {
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId }, select: { excludedProvers: true } });
  return { excludedProvers: { set: [...new Set([...job.excludedProvers, prover])] } };
}

/** What the chain is asked to do about a failed attempt: nothing happens on-chain on our word. */
export type FailureEvidence =
  /** The prover's signed result is invalid: anyone can slash it at once with that evidence. */
  | { kind: 'SLASH_INVALID'; evidence: InvalidResult }
  /** Its own signed delivery time passed (a mined block is past it): the chain can slash it. */
  | { kind: 'SLASH_LATE' }
  /** It handed the attempt back (its signature): released without a slash. */
  | { kind: 'HAND_BACK'; signature: string };

/**
 * Marks the active attempt of `jobId` failed and queues what the chain does about it (`then`). The
 * prover is counted as failing unless `blame` is false (the failure was ours, or it handed the
 * attempt back), and excluded from this job when blamed or when it handed back: a hand-back is
 * free, so a prover that gave the job back does not get to hold it again. The job goes back to
 * auction once the chain has reopened it.
 */
export async function failAttempt(
  tx: Tx,
  jobId: string,
  attempt: number,
  reason: string,
  then: FailureEvidence,
  blame = then.kind !== 'HAND_BACK',
): Promise<boolean> {
  const assignment = await tx.assignment.findUnique({ where: { jobId_attempt: { jobId, attempt } } });
  if (!assignment || assignment.status === 'FAILED' || assignment.status === 'COMPLETED') return false;
  const exclude = blame || then.kind === 'HAND_BACK';
  const exclusion = exclude ? await excluding(tx, jobId, assignment.prover) : {};
  const moved = await moveJob(tx, jobId, ACTIVE_JOB, 'FAILED_ATTEMPT', reason, {
    ...exclusion,
    failureReason: reason,
  });
  if (!moved) return false;
  await moveAssignment(tx, jobId, attempt, 'FAILED');
  if (blame)
    await tx.prover.updateMany({
      where: { address: assignment.prover },
      data: { failures: { increment: 1 } },
    });
  await tx.proof.deleteMany({ where: { jobId } });
  const { prover } = assignment;
  if (then.kind === 'SLASH_INVALID')
    await enqueue(tx, { kind: 'SLASH_INVALID', jobId, attempt, prover, evidence: then.evidence });
  else if (then.kind === 'HAND_BACK')
    await enqueue(tx, { kind: 'HAND_BACK', jobId, attempt, prover, signature: then.signature });
  else await enqueue(tx, { kind: 'SLASH_LATE', jobId, attempt, prover });
  return true;
}

/**
 * The chain refused the assignment (stake withdrawn, escrow cancelled, our role revoked…): the
 * winner is not slashed, and is excluded from the job only when `byProver` (the refusal was its own
 * doing). Its proofs (awards are optimistic) are dropped; the job's failure reason says why.
 * `onChainStatus` is the job's status on-chain, read by the caller.
 */
export async function assignmentRefused(
  tx: Tx,
  a: { jobId: string; attempt: number; prover: string },
  onChainStatus: string,
  why: string,
  config: CoordinatorConfig,
  byProver: boolean,
  chain: ChainTime,
): Promise<'CANCELLED' | 'AUCTIONING' | 'EXPIRED' | 'NONE'> {
  await moveAssignment(tx, a.jobId, a.attempt, 'FAILED');
  await tx.proof.deleteMany({ where: { jobId: a.jobId, attempt: a.attempt } });
  if (onChainStatus === 'Cancelled') {
    await moveJob(tx, a.jobId, ACTIVE_JOB, 'CANCELLED', 'requester cancelled the escrow');
    return 'CANCELLED';
  }
  const reason = `assignment refused on-chain: ${why}`;
  const exclusion = byProver ? await excluding(tx, a.jobId, a.prover) : {};
  const moved = await moveJob(tx, a.jobId, ACTIVE_JOB, 'FAILED_ATTEMPT', reason, {
    ...exclusion,
    failureReason: reason,
  });
  if (!moved) return 'NONE';
  if (onChainStatus === 'Open') return reauction(tx, a.jobId, config, chain);
  await expireJob(tx, a.jobId, ['FAILED_ATTEMPT'], `on-chain job is ${onChainStatus}`);
  return 'EXPIRED';
}

/** Time the fastest known prover needs for this job (0 when none is known yet). */
async function fastestEstimateMs(tx: Tx, gates: number, items: number): Promise<number> {
  const fastest = await tx.prover.findFirst({ orderBy: { gatesPerSec: 'desc' } });
  return fastest && fastest.gatesPerSec > 0 ? estimateProvingMs(gates, items, fastest.gatesPerSec) : 0;
}

/** True when an auction opening at chain time `opensAt` (seconds) can still lead to a settled
 *  proof by the deadline. */
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
  return opensAt * 1000 + config.auctionWindowMs + estimate + config.settleMarginMs <= job.deadline.getTime();
}

/** Ends a job that can no longer be proved in time: refund through Market.expire once the chain
 *  is past its deadline (the action waits for the chain's clock). */
export async function expireJob(tx: Tx, jobId: string, from: Parameters<typeof moveJob>[2], reason: string) {
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
  if (!(await moveJob(tx, jobId, from, 'EXPIRED', reason))) return false;
  await enqueue(tx, { kind: 'EXPIRE', jobId, attempt: job.attempt });
  return true;
}

/** After the chain reopened the job: auction it again (next attempt) or expire it. */
export async function reauction(
  tx: Tx,
  jobId: string,
  config: CoordinatorConfig,
  chain: ChainTime,
): Promise<'AUCTIONING' | 'EXPIRED' | 'NONE'> {
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
  if (job.status !== 'FAILED_ATTEMPT') return 'NONE';
  const now = Date.now();
  if (!(await timeRemains(tx, jobId, chain.nowSeconds(), config))) {
    await expireJob(tx, jobId, ['FAILED_ATTEMPT'], 'no time left to re-auction');
    return 'EXPIRED';
  }
  const attempt = job.attempt + 1;
  await moveJob(tx, jobId, ['FAILED_ATTEMPT'], 'AUCTIONING', `re-auction, attempt ${attempt}`, {
    attempt,
    winner: null,
    clearingPriceWei: null,
  });
  await scheduleRound(tx, {
    jobId,
    attempt,
    round: 0,
    rule: job.rule,
    opensAt: new Date(now),
    auctionWindowMs: config.auctionWindowMs,
  });
  return 'AUCTIONING';
}
