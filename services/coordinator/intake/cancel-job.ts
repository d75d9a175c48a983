// A requester cancelled its escrow on-chain: the coordinator checks the chain and stops the job.
import { GavelError } from '../../shared/errors.js';
import type { CoordinatorContext } from '../context.js';
import { moveJob } from '../lifecycle/job-transitions.js';

export async function cancelJob(ctx: CoordinatorContext, id: string) {
  const job = await ctx.prisma.job.findUnique({ where: { id } });
  if (!job) throw new GavelError('UNKNOWN_JOB', `no job ${id}`);
  const onChain = await ctx.chain.job(id);
  if (onChain.status !== 'Cancelled') {
    throw new GavelError(
      'NOT_CANCELLED',
      `job ${id} is ${onChain.status} on-chain; cancel it with Market.cancel first`,
    );
  }
  await ctx.prisma.$transaction((tx) =>
    moveJob(tx, id, ['OPEN', 'AUCTIONING', 'ASSIGNED'], 'CANCELLED', 'cancelled by requester'),
  );
  return { jobId: id, status: 'CANCELLED' };
}
