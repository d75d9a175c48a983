// Announcing auction rounds: every round whose opening time has come is published to all provers
// with what they need to decide a bid (size, batch, deadline, reserve, collateral, window).
import type { Announcement } from '../../shared/protocol/messages.js';
import { encode } from '../../shared/protocol/messages.js';
import { ANNOUNCE_SUBJECT } from '../../shared/protocol/subjects.js';
import { proofSystemOfRow } from '../../shared/proving/backend.js';
import type { CoordinatorContext, Tx } from '../context.js';
import { mirrorsOfJob } from '../lifecycle/job-transitions.js';
import { lockDueRounds } from './due-rounds.js';

/** Marks round `id` announced with a provisional window from `now` (publishAnnouncement moves it
 *  to the moment of publishing), and returns its announcement. The chain time by which the winner
 *  is assigned is the chain clock at the close plus the assignment margin (block time, which the
 *  bids' expiry and the contract are judged by). */
async function openRound(ctx: CoordinatorContext, tx: Tx, id: number, now: number): Promise<Announcement> {
  const closesAt = now + ctx.config.auctionWindowMs;
  const closesOnChain = ctx.clock.chain.nowSeconds() + (closesAt - ctx.clock.wall.nowMs()) / 1000;
  const assignBy = Math.ceil(closesOnChain) + 1 + ctx.config.assignMarginSeconds;
  const a = await tx.auction.update({
    where: { id },
    data: { announced: true, opensAt: new Date(now), closesAt: new Date(closesAt), assignBy },
    include: { job: { include: { circuit: true, _count: { select: { items: true } } } } },
  });
  return {
    jobId: a.jobId,
    attempt: a.attempt,
    round: a.round,
    circuitId: a.job.circuitId,
    proofSystem: proofSystemOfRow(a.job.circuit),
    vkHash: a.job.circuit.vkHash,
    gates: a.job.circuit.gates,
    dyadic: a.job.circuit.dyadic,
    batchSize: a.job._count.items,
    deadline: Math.floor(a.job.deadline.getTime() / 1000),
    reserveWei: a.job.reserveWei,
    collateralWei: a.job.collateralWei,
    closesAt,
    assignBy,
    rule: a.rule,
    inputsHash: a.job.inputsHash,
    coordinatorUrl: ctx.publicUrl(),
    mirrors: mirrorsOfJob(a.job),
  };
}

/**
 * Publishes `a` with its window counted from this moment, so bidders get all of it however long
 * the transaction before took, and moves the round's stored window to match (it only grows: the
 * provisional one started earlier).
 */
async function publishAnnouncement(ctx: CoordinatorContext, a: Announcement): Promise<void> {
  const publishedAt = ctx.clock.wall.nowMs();
  a.closesAt = publishedAt + ctx.config.auctionWindowMs;
  ctx.nc.publish(ANNOUNCE_SUBJECT, encode(a));
  await ctx.prisma.auction.updateMany({
    where: { jobId: a.jobId, attempt: a.attempt, round: a.round, status: 'OPEN' },
    data: { opensAt: new Date(publishedAt), closesAt: new Date(a.closesAt) },
  });
}

/** Publishes every auction round whose opening time has come. */
export async function announceDue(ctx: CoordinatorContext): Promise<number> {
  const announcements = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock.wall.nowMs();
    const ids = await lockDueRounds(tx, false, new Date(now));
    // The chain time each round states it assigns by comes from the latest block, read now, not
    // from one up to a poll old: after a jump in chain time (a test moving it) the rounds would
    // otherwise state an assignment time already past.
    if (ids.length > 0) await ctx.clock.chain.refresh();
    const out: Announcement[] = [];
    for (const id of ids) out.push(await openRound(ctx, tx, id, now));
    return out;
  });
  for (const a of announcements) {
    await publishAnnouncement(ctx, a);
    ctx.metrics.auctionsAnnounced.inc();
    ctx.log.info(
      { jobId: a.jobId, attempt: a.attempt, round: a.round, closesAt: a.closesAt, assignBy: a.assignBy },
      'auction announced',
    );
  }
  for (const closesAt of new Set(announcements.map((a) => a.closesAt))) ctx.kick.close(closesAt);
  return announcements.length;
}
