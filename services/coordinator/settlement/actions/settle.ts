// SETTLE: pays the winner with Market.settle once every proof is verified, and records the payment.
import { moveAssignment } from '../../lifecycle/assignment-transitions.js';
import { moveJob } from '../../lifecycle/job-transitions.js';
import { isPending, markDone, markFailed, retryLater } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';

export const settle: ActionHandler<'SETTLE'> = async ({ ctx, tx, row, onChain, log }, entry) => {
  const { jobId, attempt } = entry;
  let txHash: string | null = null;
  if (onChain.status === 'Open' && (await isPending(tx, jobId, 'ASSIGN'))) {
    // The proofs beat the assignment to the chain (it is being retried): settle after it.
    await retryLater(tx, row.id, 'waiting for the on-chain assignment');
    return;
  }
  if (onChain.status === 'Assigned') {
    txHash = (await ctx.chain.settle(jobId, entry.resultHash)).hash;
    ctx.metrics.chainTx.inc({ kind: 'settle' });
  } else if (onChain.status !== 'Settled') {
    const why = `cannot settle: on-chain job is ${onChain.status}`;
    await moveJob(tx, jobId, ['VERIFYING'], 'EXPIRED', why);
    await markFailed(tx, row.id, why);
    return;
  }
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
  await moveJob(tx, jobId, ['VERIFYING'], 'SETTLED', 'proofs verified and paid');
  await moveAssignment(tx, jobId, attempt, 'COMPLETED');
  await tx.settlement.upsert({
    where: { jobId },
    update: {},
    create: {
      jobId,
      prover: job.winner ?? '',
      priceWei: job.clearingPriceWei ?? '0',
      txHash: txHash ?? 'settled-before-restart',
    },
  });
  await markDone(tx, row.id, txHash);
  ctx.metrics.jobsSettled.inc();
  log.info({ txHash, prover: job.winner, price: job.clearingPriceWei }, 'settled');
};
