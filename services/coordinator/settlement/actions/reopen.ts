// REOPEN: after a failed attempt, Market.reopen frees (or slashes) the winner's collateral and the
// job goes back to auction while time remains.
import { reauction } from '../../lifecycle/attempts.js';
import { moveJob } from '../../lifecycle/job-transitions.js';
import { markDone } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';

export const reopen: ActionHandler<'REOPEN'> = async ({ ctx, tx, row, onChain, log }, entry) => {
  const { jobId, prover, slash } = entry;
  let txHash: string | null = null;
  if (onChain.status === 'Assigned' && onChain.prover.toLowerCase() === prover) {
    txHash = (await ctx.chain.reopen(jobId, slash)).hash;
    ctx.metrics.chainTx.inc({ kind: 'reopen' });
    if (slash) ctx.metrics.slashes.inc();
  } else if (onChain.status !== 'Open') {
    // Someone slashed it after its deadline (or it ended otherwise): nothing left to reopen.
    const note = `on-chain job is ${onChain.status}; not reopened`;
    await moveJob(tx, jobId, ['FAILED_ATTEMPT'], 'EXPIRED', note);
    await markDone(tx, row.id, null, note);
    log.info({ status: onChain.status }, 'job already ended on-chain');
    return;
  }
  const next = await reauction(tx, jobId, ctx.config);
  if (next === 'AUCTIONING') ctx.kick.announce();
  await markDone(tx, row.id, txHash);
  log.info({ txHash, next, slashed: slash }, 'reopened after a failed attempt');
};
