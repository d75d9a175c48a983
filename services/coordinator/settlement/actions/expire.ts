// EXPIRE: after the deadline, Market.expire refunds the requester's escrow.
import { markDone } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';

export const expire: ActionHandler<'EXPIRE'> = async ({ ctx, tx, row, onChain, log }, entry) => {
  let txHash: string | null = null;
  if (onChain.status === 'Open') {
    txHash = (await ctx.chain.expire(entry.jobId)).hash;
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
