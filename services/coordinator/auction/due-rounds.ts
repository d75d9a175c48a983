// Which auction rounds are due, locked for the caller's transaction so that other coordinator
// replicas skip them (FOR UPDATE SKIP LOCKED).
import type { Tx } from '../context.js';

/** Ids of open rounds due now: not yet announced whose opening has come, or announced whose
 *  window has ended. At most `limit` per call. */
export async function lockDueRounds(tx: Tx, announced: boolean, now: Date, limit = 50): Promise<number[]> {
  const column = announced ? 'closesAt' : 'opensAt';
  const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
    `SELECT id FROM "Auction" WHERE status = 'OPEN' AND announced = $1 AND "${column}" <= $2
     ORDER BY id FOR UPDATE SKIP LOCKED LIMIT $3`,
    announced,
    now,
    limit,
  );
  return rows.map((r) => r.id);
}
