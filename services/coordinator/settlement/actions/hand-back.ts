// HAND_BACK: the prover gave its attempt back (it refused inputs that do not match the on-chain
// commitment, or could not prove): Market.handBack releases it without a slash on its signature.
import type { ActionHandler } from './action.js';
import { closeAfterChain } from './follow-chain.js';

export const handBack: ActionHandler<'HAND_BACK'> = async (run, entry) => {
  const { ctx, onChain } = run;
  const { jobId, attempt, prover, signature } = entry;
  let txHash: string | null = null;
  const held = onChain.status === 'Assigned' && onChain.attempt === attempt;
  if (held && onChain.prover.toLowerCase() === prover) {
    txHash = (await ctx.chain.handBack(jobId, attempt, signature)).hash;
    ctx.metrics.chainTx.inc({ kind: 'hand_back' });
  }
  await closeAfterChain(run, txHash, prover, 'handed back without a slash');
};
