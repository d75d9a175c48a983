// SLASH_LATE: the prover's own signed delivery time passed without the proofs on-chain. Once the
// chain's clock agrees, Market.slashLate slashes it (anyone could) and reopens or expires the job.
// If the prover fulfilled after all (on its own), or someone else acted first, the job follows.
import { retryLater } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';
import { closeAfterChain } from './follow-chain.js';

export const slashLate: ActionHandler<'SLASH_LATE'> = async (run, entry) => {
  const { ctx, tx, row, onChain } = run;
  const { jobId, attempt, prover } = entry;
  let txHash: string | null = null;
  const held = onChain.status === 'Assigned' && onChain.attempt === attempt;
  if (held && onChain.prover.toLowerCase() === prover) {
    // The next block's time is the judge (a chain that makes blocks only for transactions may
    // show an old latest block): try once our clock is past the deadline, again if it is early.
    const waitMs = (onChain.attemptDeadline + 1) * 1000 - Date.now();
    if (waitMs > 0) {
      await retryLater(tx, row.id, 'the attempt deadline has not passed yet', Math.max(1000, waitMs));
      return;
    }
    const receipt = await ctx.chain.slashLate(jobId).catch((err: unknown) => {
      if ((err as { errorName?: string }).errorName !== 'AttemptDeadlineNotPassed') throw err;
      return undefined;
    });
    if (!receipt) {
      await retryLater(tx, row.id, 'the chain says the attempt deadline has not passed yet', 2000);
      return;
    }
    txHash = receipt.hash;
    ctx.metrics.chainTx.inc({ kind: 'slash' });
    ctx.metrics.slashes.inc();
  }
  await closeAfterChain(run, txHash, prover, 'slashed after its attempt deadline');
};
