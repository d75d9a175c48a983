// HAND_BACK: the prover gave its attempt back (it refused inputs that do not match the on-chain
// commitment, or could not prove): Market.handBack releases it without a slash on its signature,
// up to its attempt deadline. Past it the chain refuses: the prover's own delivery time passed
// unfulfilled, and the attempt is slashed as late instead (anyone could).
import type { ActionHandler } from './action.js';
import { closeAfterChain } from './follow-chain.js';
import { slashLate } from './slash-late.js';

export const handBack: ActionHandler<'HAND_BACK'> = async (run, entry) => {
  const { ctx, onChain } = run;
  const { jobId, attempt, prover, signature } = entry;
  let txHash: string | null = null;
  const held = onChain.status === 'Assigned' && onChain.attempt === attempt;
  if (held && onChain.prover.toLowerCase() === prover) {
    const receipt = await ctx.chain.handBack(jobId, attempt, signature).catch((err: unknown) => {
      if ((err as { errorName?: string }).errorName !== 'AttemptDeadlinePassed') throw err;
      return undefined;
    });
    if (!receipt) return slashLate(run, { kind: 'SLASH_LATE', jobId, attempt, prover });
    txHash = receipt.hash;
    ctx.metrics.chainTx.inc({ kind: 'hand_back' });
  }
  await closeAfterChain(run, txHash, prover, 'handed back without a slash');
};
