// ASSIGN: Market.assign with the winner's signed bid (and the runner-up's, which sets the second
// price) locks the winner's collateral and starts its attempt deadline. The winner was awarded at
// close and may be proving already; a refusal by the chain fails the attempt without a slash.

import { getAddress } from 'ethers';
import type { ChainTime } from '../../../shared/chain/chain-clock.js';
import type { SignedBid } from '../../../shared/chain/gavel-contracts.js';
import { moveAssignment } from '../../lifecycle/assignment-transitions.js';
import { assignmentRefused } from '../../lifecycle/attempts.js';
import {
  cancelPending,
  isPending,
  markDone,
  markFailed,
  type OutboxEntry,
} from '../../lifecycle/outbox-entries.js';
import type { ActionHandler, ActionRun } from './action.js';
import { recordSettled } from './follow-chain.js';

/** Seconds of chain time an assignment is given to be mined after it is sent. */
const MINE_MARGIN_SECONDS = 3;

export const assign: ActionHandler<'ASSIGN'> = async (run, entry) => {
  const { ctx, tx, row, onChain, log } = run;
  const { jobId, attempt, prover } = entry;
  // Not locked: a heartbeat or result must not wait for this transaction. If the attempt fails
  // meanwhile, its REOPEN (queued after this) finds the collateral locked and frees it.
  const assignment = await tx.assignment.findUnique({ where: { jobId_attempt: { jobId, attempt } } });
  // An attempt that failed before its assignment reached the chain is not assigned, unless it
  // failed on the winner's signed invalid result: that is slashable, once assigned.
  const slashable = await isPending(tx, jobId, 'SLASH_INVALID');
  if (!assignment || (assignment.status === 'FAILED' && !slashable)) {
    await markDone(tx, row.id, null, 'attempt failed before the assignment reached the chain');
    return;
  }
  let txHash: string | null = null;
  if (onChain.status === 'Open') {
    const [winner, runnerUp] = await signedBids(run, entry);
    // A bid that expires (chain time) before the transaction can be mined is not sent: the chain
    // would refuse it as BidExpired, at the coordinator's gas (seen after a NATS node restart).
    const expiring = expiringBid([winner, runnerUp], ctx.clock.chain);
    if (expiring) {
      const why = `BidExpired: the bid of ${expiring.bid.prover} expires at ${expiring.bid.expiry} (chain time), before its assignment could be mined`;
      await refuseAssignment(run, entry, why, expiring === winner);
      return;
    }
    const receipt = await ctx.chain.assign(jobId, winner, runnerUp, entry.transcriptRoot);
    txHash = receipt.hash;
    ctx.metrics.chainTx.inc({ kind: 'assign' });
  } else if (onChain.status === 'Settled' && onChain.prover.toLowerCase() === prover) {
    // Assigned before a crash, then fulfilled by the prover on its own while we were down.
    await recordSettled(run, jobId, onChain, null);
    await markDone(tx, row.id, null, 'assigned and paid on-chain while the coordinator was down');
    return;
  } else if (!(onChain.status === 'Assigned' && onChain.prover.toLowerCase() === prover)) {
    await refuseAssignment(run, entry, `on-chain job is ${onChain.status}`, false);
    return;
  }
  if (assignment.status === 'FAILED') {
    await markDone(tx, row.id, txHash, 'assigned for the slash its invalid result earns');
    return;
  }
  await moveAssignment(tx, jobId, attempt, 'ACTIVE');
  // The attempt deadline is the chain's now: the winner's signed delivery time from this block.
  const assigned = await ctx.chain.job(jobId);
  await tx.assignment.update({
    where: { jobId_attempt: { jobId, attempt } },
    data: { leaseUntil: new Date(assigned.attemptDeadline * 1000) },
  });
  await tx.prover.updateMany({ where: { address: prover }, data: { jobsWon: { increment: 1 } } });
  await markDone(tx, row.id, txHash);
  log.info({ prover, txHash }, 'collateral locked on-chain');
};

/** The first of `bids` whose expiry (chain time) comes before an assignment sent now is mined. */
export function expiringBid(
  bids: readonly (SignedBid | undefined)[],
  chain: Pick<ChainTime, 'nowSeconds'>,
): SignedBid | undefined {
  return bids.find((b) => b !== undefined && chain.nowSeconds() + MINE_MARGIN_SECONDS >= b.bid.expiry);
}

/** The winner's stored bid and, when the rule uses it, the runner-up's: what the Market checks. */
async function signedBids(run: ActionRun, entry: Extract<OutboxEntry, { kind: 'ASSIGN' }>) {
  const ids = [entry.winnerBid, ...(entry.runnerUpBid === null ? [] : [entry.runnerUpBid])];
  const rows = await run.tx.bid.findMany({ where: { id: { in: ids } } });
  const signed = (id: number): SignedBid => {
    const b = rows.find((r) => r.id === id);
    if (!b) throw new Error(`bid ${id} of job ${entry.jobId} is missing`);
    const bid = {
      jobId: entry.jobId,
      attempt: entry.attempt,
      price: BigInt(b.priceWei),
      prover: getAddress(b.prover),
      expiry: b.expiry,
      nonce: BigInt(b.nonce),
      deliverySeconds: b.deliverySeconds,
    };
    return { bid, signature: b.signature };
  };
  return [
    signed(entry.winnerBid),
    entry.runnerUpBid === null ? undefined : signed(entry.runnerUpBid),
  ] as const;
}

/** Reverts of `assign` that exclude the winner from the job: its own doing (it withdrew its stake,
 *  say), or its bid expired (it was checked to stay valid for the stated assignment margin; a bid
 *  that keeps expiring must not win every re-auction and block the job, review N8). None of them
 *  counts as a failure or costs it anything. */
const PROVER_FAULTS = new Set(['InsufficientFreeStake', 'NotRegistered', 'BidExpired']);

/** Whether the chain refused an assignment because of the winner's bid (else: ours, or nobody's). */
export function proverAtFault(revertName: string): boolean {
  return PROVER_FAULTS.has(revertName);
}

/**
 * The chain refused this assignment: no slash, its settlement is dropped, the job moves on. The
 * winner is excluded from the job only when the refusal was its own doing; a refusal of ours
 * (NotCoordinator: this replica lost its role) is logged as an alert.
 */
export async function refuseAssignment(
  run: ActionRun,
  entry: { jobId: string; attempt: number; prover: string },
  why: string,
  byProver: boolean,
): Promise<void> {
  const { ctx, tx, row, log } = run;
  if (!byProver)
    log.error({ prover: entry.prover, why }, 'ALERT: assignment refused on-chain, not by the prover');
  const onChain = await ctx.chain.job(entry.jobId);
  await cancelPending(tx, entry.jobId, 'FULFIL', `assignment refused on-chain: ${why}`);
  const next = await assignmentRefused(tx, entry, onChain.status, why, ctx.config, byProver, ctx.clock.chain);
  if (next === 'AUCTIONING') ctx.kick.announce();
  await markFailed(tx, row.id, why);
}
