// Awards: the winner of a round hears at once on JetStream (durable until it acknowledges; the
// message id makes a re-publish after a crash a no-op), its assignment is recorded, and the
// on-chain assign that locks its collateral is queued.
import type { Award } from '../../shared/protocol/messages.js';
import { encode } from '../../shared/protocol/messages.js';
import { dedupId, signMessage } from '../../shared/protocol/signed-message.js';
import { awardSubject } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext, Tx } from '../context.js';
import { createAssignment, type WinningBids } from '../lifecycle/assignment-transitions.js';
import { enqueue } from '../lifecycle/outbox-entries.js';

/** Publishes `award`, signed with this replica's coordinator key, to its winner; `announcedAt`
 *  is when the round it won was announced. */
export async function publishAward(ctx: CoordinatorContext, award: Award, announcedAt: Date): Promise<void> {
  const bytes = encode(await signMessage(ctx.signer, award));
  await ctx.js.publish(awardSubject(award.prover), bytes, { msgID: dedupId('award', bytes) });
  ctx.metrics.awardLatency.observe((ctx.clock.wall.nowMs() - announcedAt.getTime()) / 1000);
}

/**
 * Awards a job inside the transaction that closes its round. Optimistic: the winner starts now,
 * before the transaction commits (a result that overtakes the commit is redelivered until it
 * lands). A committed award was always sent; a rolled-back one only earns the prover a refusal,
 * and the round is closed again (the same award signs to the same bytes: a no-op re-send).
 */
export async function awardWinner(
  ctx: CoordinatorContext,
  tx: Tx,
  award: Award,
  announcedAt: Date,
  bids: WinningBids,
): Promise<void> {
  await publishAward(ctx, award, announcedAt);
  const { jobId, attempt, prover, priceWei } = award;
  // Until the chain sets it, the attempt deadline is the latest the chain could set: the winner's
  // signed delivery time from the latest chain time it may be assigned.
  const leaseUntil = new Date((bids.assignBy + bids.deliverySeconds) * 1000);
  await createAssignment(tx, { jobId, attempt, prover, priceWei, leaseUntil });
  await enqueue(tx, {
    kind: 'ASSIGN',
    jobId,
    attempt,
    prover,
    price: priceWei,
    winnerBid: bids.winner,
    runnerUpBid: bids.runnerUp,
    transcriptRoot: bids.transcriptRoot,
  });
}
