// EXPIRE: after the deadline, Market.expire refunds the requester's escrow. The chain's clock is
// the judge: the action is sent once a mined block is past the deadline, so the chain never finds
// it early (an escrow left open while the job showed EXPIRED was seen when it was judged by ours).
import { markDone } from '../../lifecycle/outbox-entries.js';
import { type ActionHandler, waitForChainTime } from './action.js';

export const expire: ActionHandler<'EXPIRE'> = async (run, entry) => {
  const { ctx, tx, row, onChain, log } = run;
  let txHash: string | null = null;
  if (onChain.status === 'Open') {
    if (await waitForChainTime(run, onChain.deadline, 'the job deadline')) return;
    const sent = await ctx.chain.expire(entry.jobId);
    txHash = sent.hash;
    ctx.metrics.chainTx.inc({ kind: 'expire' });
  }
  await markDone(
    tx,
    row.id,
    txHash,
    onChain.status === 'Open' ? undefined : `on-chain job is ${onChain.status}`,
  );
  log.info({ txHash }, 'expired and refunded');
};
