// HAND_BACK: the prover gave its attempt back (it refused inputs that do not match the on-chain
// commitment, or could not prove): Market.handBack releases it without a slash on its signature.
import { markDone } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';
import { followChain } from './follow-chain.js';

export const handBack: ActionHandler<'HAND_BACK'> = async (run, entry) => {
  const { ctx, tx, row, onChain, log } = run;
  const { jobId, attempt, prover, signature } = entry;
  let txHash: string | null = null;
  const held = onChain.status === 'Assigned' && onChain.attempt === attempt;
  if (held && onChain.prover.toLowerCase() === prover) {
    txHash = (await ctx.chain.handBack(jobId, attempt, signature)).hash;
    ctx.metrics.chainTx.inc({ kind: 'hand_back' });
  }
  const next = await followChain(run, jobId);
  await markDone(tx, row.id, txHash, txHash ? undefined : next);
  log.info({ txHash, prover, next }, 'handed back without a slash');
};
