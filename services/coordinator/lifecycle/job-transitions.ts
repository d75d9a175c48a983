// The job state machine: which moves are allowed, and the one function that makes a move (an
// optimistic, status-checked update plus its JobEvent, inside the caller's transaction).
import type { db } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import type { Mirror } from '../../shared/protocol/messages.js';

export type JobStatus = db.JobStatus;
type Tx = Pick<db.PrismaClient, 'job' | 'jobEvent'>;

const ALLOWED: Record<JobStatus, readonly JobStatus[]> = {
  OPEN: ['AUCTIONING', 'CANCELLED', 'EXPIRED'],
  AUCTIONING: ['ASSIGNED', 'EXPIRED', 'CANCELLED'],
  // SETTLED and EXPIRED from any active state: the chain is the truth (a prover may fulfil on its
  // own, a watchtower may slash), and the job follows it.
  ASSIGNED: ['PROVING', 'VERIFYING', 'FAILED_ATTEMPT', 'CANCELLED', 'SETTLED', 'EXPIRED'],
  PROVING: ['VERIFYING', 'FAILED_ATTEMPT', 'CANCELLED', 'SETTLED', 'EXPIRED'],
  VERIFYING: ['SETTLED', 'FAILED_ATTEMPT', 'EXPIRED', 'CANCELLED'],
  FAILED_ATTEMPT: ['AUCTIONING', 'EXPIRED', 'SETTLED', 'CANCELLED'],
  SETTLED: [],
  EXPIRED: [],
  CANCELLED: [],
};

export function canMove(from: JobStatus, to: JobStatus): boolean {
  return ALLOWED[from].includes(to);
}

export interface NewJob {
  id: string;
  circuitId: string;
  requester: string;
  rule: db.AuctionRule;
  reserveWei: string;
  collateralWei: string;
  deadline: Date;
  inputsHash: string;
  inputsPublic: boolean;
  /** How many watchtowers had to hold the inputs before auction, and their attestations. */
  mirrorsRequired: number;
  mirrors: object[];
  items: { index: number; inputs: object; publicInputs: string[] }[];
}

/** Where a job's inputs are mirrored (the watchtowers that attested at intake), as messages carry it. */
export function mirrorsOfJob(job: { mirrors: unknown }): Mirror[] {
  return (job.mirrors as Mirror[]).map(({ url, watchtower }) => ({ url, watchtower }));
}

/** Stores a job whose escrow and inputs were checked (OPEN) and moves it to its first auction. */
export async function openJob(tx: Tx, job: NewJob): Promise<void> {
  const { items, ...fields } = job;
  await tx.job.create({ data: { ...fields, status: 'OPEN', items: { create: items } } });
  await tx.jobEvent.create({ data: { jobId: job.id, to: 'OPEN', reason: 'escrow verified, inputs solved' } });
  await moveJob(tx, job.id, ['OPEN'], 'AUCTIONING', 'first auction');
}

/**
 * Moves job `jobId` from one of `from` to `to`, writing a JobEvent. Returns false (and changes
 * nothing) when the job is no longer in one of `from` — another replica or handler got there first.
 */
export async function moveJob(
  tx: Tx,
  jobId: string,
  from: readonly JobStatus[],
  to: JobStatus,
  reason: string,
  data: Partial<db.Prisma.JobUpdateManyMutationInput> = {},
): Promise<boolean> {
  for (const f of from) {
    if (!canMove(f, to)) throw new GavelError('BAD_TRANSITION', `job cannot move from ${f} to ${to}`);
  }
  // A concurrent transaction may move the job between our read and our update (a heartbeat's
  // ASSIGNED → PROVING while the last proof's VERIFYING is being written): read again and retry
  // while the job is still in a state we may move it from.
  for (let tries = 0; tries < 5; tries++) {
    const current = await tx.job.findUnique({ where: { id: jobId }, select: { status: true } });
    if (!current || !from.includes(current.status)) return false;
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: current.status },
      data: { ...data, status: to },
    });
    if (count === 0) continue;
    await tx.jobEvent.create({ data: { jobId, from: current.status, to, reason } });
    return true;
  }
  return false;
}
