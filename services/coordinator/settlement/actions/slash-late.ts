// SLASH_LATE: the prover's own signed delivery time passed without the proofs on-chain. Once a
// mined block is past it, Market.slashLate slashes it (anyone could) and reopens or expires the
// job. If the prover fulfilled after all (on its own), or someone else acted first, the job follows.
import { type ActionHandler, waitForChainTime } from './action.js';
import { closeAfterChain } from './follow-chain.js';

export const slashLate: ActionHandler<'SLASH_LATE'> = async (run, entry) => {
  const { ctx, onChain } = run;
  const { jobId, attempt, prover } = entry;
  let txHash: string | null = null;
  const held = onChain.status === 'Assigned' && onChain.attempt === attempt;
  if (held && onChain.prover.toLowerCase() === prover) {
    if (await waitForChainTime(run, onChain.attemptDeadline, 'the attempt deadline')) return;
    const receipt = await ctx.chain.slashLate(jobId);
    txHash = receipt.hash;
    ctx.metrics.chainTx.inc({ kind: 'slash' });
    ctx.metrics.slashes.inc();
  }
  await closeAfterChain(run, txHash, prover, 'slashed after its attempt deadline');
};
