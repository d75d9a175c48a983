// Awards travel on JetStream (durable until the winner acknowledges them); the message id makes a
// re-publish after a crash a no-op.
import type { db } from '../../shared/db/client.js';
import type { Award } from '../../shared/protocol/messages.js';
import { encode } from '../../shared/protocol/messages.js';
import { awardSubject } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext } from '../context.js';

/** Assignment states in which the winner works: awarded (collateral lock pending) or locked. */
export const AWARDED: db.AssignmentStatus[] = ['PENDING_CHAIN', 'ACTIVE'];

/** Publishes `award` to its winner; `announcedAt` is when the round it won was announced. */
export async function publishAward(ctx: CoordinatorContext, award: Award, announcedAt: Date): Promise<void> {
  await ctx.js.publish(awardSubject(award.prover), encode(award), {
    msgID: `award:${award.jobId}:${award.attempt}`,
  });
  ctx.metrics.awardLatency.observe((Date.now() - announcedAt.getTime()) / 1000);
}
