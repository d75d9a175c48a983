// The outbox's rows: every on-chain action as a typed entry, created here only (in the transaction
// of the state change that needs it) and moved through PENDING → DONE | FAILED here only.
import type { db } from '../../shared/db/client.js';
import type { Tx } from '../context.js';

/** What each kind of on-chain action carries; the idempotency key names the job and the attempt. */
export type OutboxEntry =
  | {
      kind: 'ASSIGN';
      jobId: string;
      attempt: number;
      prover: string;
      price: string;
      /** The stored bids the Market checks: the winner's, and the runner-up's under second price. */
      winnerBid: number;
      runnerUpBid: number | null;
      /** Root of the attempt's auction transcript, committed with the assignment. */
      transcriptRoot: string;
    }
  | { kind: 'FULFIL'; jobId: string; attempt: number }
  | { kind: 'SLASH_LATE'; jobId: string; attempt: number; prover: string }
  | { kind: 'SLASH_INVALID'; jobId: string; attempt: number; prover: string; evidence: InvalidResult }
  | { kind: 'HAND_BACK'; jobId: string; attempt: number; prover: string; signature: string }
  | { kind: 'EXPIRE'; jobId: string; attempt: number }
  | {
      kind: 'ANSWER_CHALLENGE';
      jobId: string;
      attempt: number;
      /** The challenged bid's digest, its standing and Merkle proof in the attempt's transcript. */
      bidDigest: string;
      standing: number;
      proof: string[];
    };

/** A result the prover signed (EIP-712) whose proof our verifier found invalid. */
export type InvalidResult = {
  item: number;
  /** 0x-hex proof bytes */
  proof: string;
  publicInputs: string[];
  resultSignature: string;
};

export type OutboxKind = OutboxEntry['kind'];
export type OutboxRow = db.OutboxAction;

/** The idempotency key of an entry: one action of a kind per job and attempt (one answer per
 *  challenged bid). */
export function idempotencyKey(entry: OutboxEntry): string {
  const key = `${entry.kind.toLowerCase()}:${entry.jobId}:${entry.attempt}`;
  return entry.kind === 'ANSWER_CHALLENGE' ? `${key}:${entry.bidDigest}` : key;
}

/** Queues `entry` in the caller's transaction; `notBefore` delays it (e.g. until a deadline). */
export async function enqueue(tx: Tx, entry: OutboxEntry, notBefore?: Date): Promise<void> {
  const { kind, jobId, ...payload } = entry;
  await tx.outboxAction.create({
    data: {
      kind,
      jobId,
      payload,
      idempotencyKey: idempotencyKey(entry),
      ...(notBefore ? { notBefore } : {}),
    },
  });
}

/** Queues every entry of `entries` at once (those queued already are left as they are): the
 *  outbox sees all or none of them, so entries it sends in batches go together. Returns how
 *  many were new. */
export async function enqueueAll(tx: Tx, entries: OutboxEntry[]): Promise<number> {
  const data = entries.map((entry) => {
    const { kind, jobId, ...payload } = entry;
    return { kind, jobId, payload, idempotencyKey: idempotencyKey(entry) };
  });
  return (await tx.outboxAction.createMany({ data, skipDuplicates: true })).count;
}

/** The typed entry a stored row holds. */
export function entryOf(row: OutboxRow): OutboxEntry {
  return { ...(row.payload as object), kind: row.kind, jobId: row.jobId } as OutboxEntry;
}

/** The action happened (now, with `txHash`, or before: `txHash` null and a note saying why). */
export function markDone(tx: Tx, id: number, txHash: string | null, note?: string) {
  return tx.outboxAction.update({
    where: { id },
    data: { status: 'DONE', doneAt: new Date(), attempts: { increment: 1 }, txHash, lastError: note ?? null },
  });
}

/** The action can never happen (the chain refused it); the job's state machine has reacted. */
export function markFailed(tx: Tx, id: number, error: string) {
  return tx.outboxAction.update({
    where: { id },
    data: { status: 'FAILED', attempts: { increment: 1 }, lastError: error },
  });
}

/** The action may still happen: try again after `delayMs`. */
export function retryLater(tx: Tx, id: number, error: string, delayMs = 1000) {
  return tx.outboxAction.update({
    where: { id },
    data: { attempts: { increment: 1 }, lastError: error, notBefore: new Date(Date.now() + delayMs) },
  });
}

/** Puts a pending action off until `notBefore` without counting an attempt: it waits for
 *  something (the chain's clock), it did not fail. */
export function putOff(tx: Tx, id: number, why: string, notBefore: Date) {
  return tx.outboxAction.update({ where: { id }, data: { lastError: why, notBefore } });
}

/** Drops the pending actions of `kind` for a job (their premise is gone). */
export function cancelPending(tx: Tx, jobId: string, kind: OutboxKind, why: string) {
  return tx.outboxAction.updateMany({
    where: { jobId, kind, status: 'PENDING' },
    data: { status: 'FAILED', lastError: why },
  });
}

/** True while an action of `kind` for `jobId` is still queued. */
export async function isPending(tx: Tx, jobId: string, kind: OutboxKind): Promise<boolean> {
  return (await tx.outboxAction.count({ where: { jobId, kind, status: 'PENDING' } })) > 0;
}

/** Locks the next due action for this transaction (other replicas skip it); assignments first,
 *  since a winner waits for its collateral to be locked. */
export async function claimNext(tx: Tx): Promise<OutboxRow | undefined> {
  const [row] = await tx.$queryRawUnsafe<{ id: number }[]>(
    `SELECT id FROM "OutboxAction" WHERE status = 'PENDING' AND "notBefore" <= $1
     ORDER BY (kind = 'ASSIGN') DESC, id FOR UPDATE SKIP LOCKED LIMIT 1`,
    new Date(),
  );
  return row ? tx.outboxAction.findUniqueOrThrow({ where: { id: row.id } }) : undefined;
}

/** Up to `max` more due rows of `kind` besides row `but`, locked for this transaction (actions
 *  that go on-chain in batches: challenge answers). */
export async function claimMoreOf(tx: Tx, kind: OutboxKind, but: number, max: number): Promise<OutboxRow[]> {
  if (max <= 0) return [];
  const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
    `SELECT id FROM "OutboxAction" WHERE status = 'PENDING' AND "notBefore" <= $1 AND kind = $2::"OutboxKind"
     AND id <> $3 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT $4`,
    new Date(),
    kind,
    but,
    max,
  );
  if (rows.length === 0) return [];
  return tx.outboxAction.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { id: 'asc' } });
}
