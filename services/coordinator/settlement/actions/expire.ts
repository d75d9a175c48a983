// EXPIRE: after the deadline, Market.expire refunds the requester's escrow. The chain's clock is
// the judge: the next block's time may still be before the deadline when ours is past it (a chain
// that makes blocks only for transactions), so an early expire is tried again, never given up.
// Given up, the escrow stayed open on-chain while the job showed EXPIRED (seen in the fault suite).
import { markDone, retryLater } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';

export const expire: ActionHandler<'EXPIRE'> = async ({ ctx, tx, row, onChain, log }, entry) => {
  let txHash: string | null = null;
  if (onChain.status === 'Open') {
    const waitMs = (onChain.deadline + 1) * 1000 - Date.now();
    if (waitMs > 0) {
      await retryLater(tx, row.id, 'the job deadline has not passed yet', Math.max(1000, waitMs));
      return;
    }
    const sent = await ctx.chain.expire(entry.jobId).catch((err: unknown) => {
      if ((err as { errorName?: string }).errorName !== 'DeadlineNotPassed') throw err;
      return undefined;
    });
    if (!sent) {
      await retryLater(tx, row.id, 'the chain says the job deadline has not passed yet', 2000);
      return;
    }
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
