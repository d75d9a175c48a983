// The assignment state machine: PENDING_CHAIN (awarded, collateral lock queued) → ACTIVE (locked
// on-chain) → COMPLETED (every proof verified) | FAILED. The only writer of Assignment.status.
import type { db } from '../../shared/db/client.js';
import type { Tx } from '../context.js';

export type AssignmentStatus = db.AssignmentStatus;

/** Assignment states in which the winner works: awarded (collateral lock pending) or locked. */
export const AWARDED: AssignmentStatus[] = ['PENDING_CHAIN', 'ACTIVE'];

const ALLOWED: Record<AssignmentStatus, readonly AssignmentStatus[]> = {
  PENDING_CHAIN: ['ACTIVE', 'COMPLETED', 'FAILED'],
  ACTIVE: ['COMPLETED', 'FAILED'],
  COMPLETED: [],
  // The chain is the truth for money: an attempt we failed that its prover fulfilled on-chain after
  // all (on its own) completed.
  FAILED: ['COMPLETED'],
};

/** May an assignment move from `from` to `to`? */
export function canMoveAssignment(from: AssignmentStatus, to: AssignmentStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The stored bids an award rests on (the Market checks them at assignment). */
export interface WinningBids {
  winner: number;
  runnerUp: number | null;
  /** The winner's signed delivery time. */
  deliverySeconds: number;
  /** Chain time by which the round's winner is assigned (its bid's expiry). */
  assignBy: number;
  /** Root of the attempt's auction transcript (auction/transcript.ts). */
  transcriptRoot: string;
}

export interface NewAssignment {
  jobId: string;
  attempt: number;
  prover: string;
  priceWei: string;
  leaseUntil: Date;
}

/** Records the winner of an attempt; its collateral lock is still to come. */
export function createAssignment(tx: Tx, a: NewAssignment) {
  return tx.assignment.create({ data: { ...a, status: 'PENDING_CHAIN' } });
}

/** Moves the assignment of (jobId, attempt) to `to` when its state allows; returns whether it moved. */
export async function moveAssignment(
  tx: Tx,
  jobId: string,
  attempt: number,
  to: AssignmentStatus,
): Promise<boolean> {
  const from = (Object.keys(ALLOWED) as AssignmentStatus[]).filter((s) => canMoveAssignment(s, to));
  const { count } = await tx.assignment.updateMany({
    where: { jobId, attempt, status: { in: from } },
    data: { status: to },
  });
  return count > 0;
}
