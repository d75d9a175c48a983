// What the API shows of jobs: a list, one job's whole story, and its content-addressed inputs.
import type { db } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import { assertFresh, requestSigner } from '../../shared/protocol/request-auth.js';
import type { CoordinatorContext } from '../context.js';

export async function listJobs(ctx: CoordinatorContext, status: db.JobStatus | undefined, limit: number) {
  const jobs = await ctx.prisma.job.findMany({
    where: status ? { status } : {},
    orderBy: { createdAt: 'desc' },
    take: limit,
    include: { _count: { select: { items: true } } },
  });
  return jobs.map((j) => ({
    jobId: j.id,
    status: j.status,
    circuitId: j.circuitId,
    items: j._count.items,
    winner: j.winner,
    clearingPriceWei: j.clearingPriceWei,
    deadline: j.deadline,
    createdAt: j.createdAt,
  }));
}

function unknownJob(id: string): GavelError {
  return new GavelError('UNKNOWN_JOB', `no job ${id}`);
}

export async function jobDetails(ctx: CoordinatorContext, id: string) {
  const job = await ctx.prisma.job.findUnique({
    where: { id },
    include: {
      events: { orderBy: { id: 'asc' } },
      assignments: { orderBy: { attempt: 'asc' } },
      settlement: true,
      _count: { select: { items: true, proofs: true } },
    },
  });
  if (!job) throw unknownJob(id);
  const { requester, rule, reserveWei, collateralWei, deadline, attempt, winner, clearingPriceWei } = job;
  return {
    jobId: job.id,
    status: job.status,
    circuitId: job.circuitId,
    ...{ requester, rule, reserveWei, collateralWei, deadline, attempt },
    items: job._count.items,
    verifiedProofs: job._count.proofs,
    ...{ winner, clearingPriceWei },
    failureReason: job.failureReason,
    availability: { required: job.mirrorsRequired, attestations: job.mirrors },
    assignments: job.assignments.map(({ attempt, prover, priceWei, status, progress }) => ({
      ...{ attempt, prover, priceWei, status, progress },
    })),
    settlement: job.settlement,
    events: job.events.map(({ from, to, reason, at }) => ({ from, to, reason, at })),
  };
}

/** A signed read of a job's inputs: the signature over (job, at) and its time. */
export interface InputsRequest {
  at: number;
  signature: string | undefined;
  /** The attempt a prover's award is for: an award of a past attempt is refused at once. */
  attempt?: number | undefined;
}

/**
 * Whether `reader` may read job `id`'s private inputs: its requester, or the prover assigned to its
 * current attempt. AWARD_PENDING (retry shortly) while a close that may award it is in flight.
 */
async function assertMayRead(
  ctx: CoordinatorContext,
  job: { id: string; requester: string; attempt: number },
  reader: string,
  attempt: number | undefined,
) {
  if (reader === job.requester.toLowerCase()) return;
  if (attempt !== undefined && attempt !== job.attempt) {
    throw new GavelError(
      'ATTEMPT_OVER',
      `attempt ${attempt} of job ${job.id} is over (the job is at attempt ${job.attempt})`,
    );
  }
  const winner = await ctx.prisma.auction.findFirst({
    where: { jobId: job.id, attempt: job.attempt, status: 'AWARDED', winner: reader },
  });
  if (winner) return;
  const closing = await ctx.prisma.auction.findFirst({
    where: {
      jobId: job.id,
      attempt: job.attempt,
      status: 'OPEN',
      announced: true,
      closesAt: { lte: new Date() },
    },
  });
  if (closing) throw new GavelError('AWARD_PENDING', `job ${job.id} is being awarded: ask again in a moment`);
  throw new GavelError(
    'NOT_ASSIGNED',
    `${reader} is neither the requester nor the assigned prover of job ${job.id}`,
  );
}

/** A job's inputs with their hash (provers check the hash against the one committed on-chain).
 *  Unless the requester made them public, only it and the assigned prover may read them. */
export async function jobInputs(ctx: CoordinatorContext, id: string, req: InputsRequest) {
  const job = await ctx.prisma.job.findUnique({
    where: { id },
    include: { items: { orderBy: { index: 'asc' } } },
  });
  if (!job) throw unknownJob(id);
  if (!job.inputsPublic) {
    assertFresh(req.at);
    await assertMayRead(
      ctx,
      job,
      requestSigner('read inputs', { job: id, at: req.at }, req.signature),
      req.attempt,
    );
  }
  return { jobId: id, inputsHash: job.inputsHash, items: job.items.map((i) => i.inputs) };
}
