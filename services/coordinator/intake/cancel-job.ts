// A requester cancelled its escrow on-chain: the coordinator checks the chain and stops the job.
import { GavelError } from '../../shared/errors.js';
import { assertFresh, requestSigner } from '../../shared/protocol/request-auth.js';
import type { CoordinatorContext } from '../context.js';
import { moveJob } from '../lifecycle/job-transitions.js';

/** Stops job `id`, on the requester's signed word and the chain's confirmation. */
export async function cancelJob(ctx: CoordinatorContext, id: string, req: { at: number; signature: string }) {
  const job = await ctx.prisma.job.findUnique({ where: { id } });
  if (!job) throw new GavelError('UNKNOWN_JOB', `no job ${id}`);
  assertFresh(req.at);
  const signer = requestSigner('cancel job', { job: id, at: req.at }, req.signature);
  if (signer !== job.requester.toLowerCase()) {
    throw new GavelError('NOT_REQUESTER', `only the requester ${job.requester} may cancel job ${id}`);
  }
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
