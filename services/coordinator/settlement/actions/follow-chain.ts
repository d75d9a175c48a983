// The chain is the truth for money: after an on-chain action on a failed attempt (or one somebody
// else took: a prover fulfilling on its own, a watchtower slashing), the job follows the chain.
import type { OnChainJob } from '../../../shared/chain/gavel-contracts.js';
import { moveAssignment } from '../../lifecycle/assignment-transitions.js';
import { reauction } from '../../lifecycle/attempts.js';
import { moveJob } from '../../lifecycle/job-transitions.js';
import { markDone } from '../../lifecycle/outbox-entries.js';
import type { ActionRun } from './action.js';

const LIVE = ['ASSIGNED', 'PROVING', 'VERIFYING', 'FAILED_ATTEMPT'] as const;

/** Records a payment the chain made (by our fulfilment or anyone's). */
export async function recordSettled(
  run: ActionRun,
  jobId: string,
  onChain: OnChainJob,
  txHash: string | null,
) {
  const { ctx, tx } = run;
  const prover = onChain.prover.toLowerCase();
  const moved = await moveJob(tx, jobId, LIVE, 'SETTLED', 'proofs verified on-chain and paid', {
    winner: prover,
    clearingPriceWei: onChain.price.toString(),
  });
  await moveAssignment(tx, jobId, onChain.attempt, 'COMPLETED');
  await tx.settlement.upsert({
    where: { jobId },
    update: {},
    create: { jobId, prover, priceWei: onChain.price.toString(), txHash: txHash ?? 'settled-on-chain' },
  });
  if (moved) ctx.metrics.jobsSettled.inc();
}

/** Moves the job to where the chain has it now; returns what happened. */
export async function followChain(run: ActionRun, jobId: string): Promise<string> {
  const { ctx, tx } = run;
  const onChain = await ctx.chain.job(jobId);
  switch (onChain.status) {
    case 'Open': {
      const next = await reauction(tx, jobId, ctx.config, ctx.clock.chain);
      if (next === 'AUCTIONING') ctx.kick.announce();
      return `back to auction (${next})`;
    }
    case 'Settled':
      await recordSettled(run, jobId, onChain, null);
      return 'settled on-chain';
    case 'Expired':
    case 'Cancelled': {
      const to = onChain.status === 'Expired' ? 'EXPIRED' : 'CANCELLED';
      await moveJob(tx, jobId, LIVE, to, `on-chain job is ${onChain.status}`);
      return `on-chain job is ${onChain.status}`;
    }
    default:
      return `on-chain job is ${onChain.status}`;
  }
}

/** Ends an action on a failed attempt: the job follows the chain, the row is done (`txHash` null
 *  when the chain had already moved on), and the outcome is logged. */
export async function closeAfterChain(run: ActionRun, txHash: string | null, prover: string, done: string) {
  const next = await followChain(run, run.row.jobId);
  await markDone(run.tx, run.row.id, txHash, txHash ? undefined : next);
  run.log.info({ txHash, prover, next }, txHash ? done : 'no on-chain action needed');
}
