// The life of an auction round: announce when due, close when its window ends, then award the
// winner at once (its collateral is locked on-chain by the outbox's assign, concurrently) or
// schedule a re-announcement with backoff.
import { formatEther } from 'ethers';
import type { Announcement } from '../../shared/protocol/messages.js';
import { encode } from '../../shared/protocol/messages.js';
import { ANNOUNCE_SUBJECT } from '../../shared/protocol/subjects.js';
import { AWARDED, publishAward } from '../assignment/award.js';
import type { CoordinatorContext, Tx } from '../context.js';
import { expireJob, timeRemains } from '../lifecycle/attempts.js';
import { moveJob } from '../lifecycle/job-transitions.js';
import { decideWinner } from './decide-winner.js';

/** Rows of `table` matching `where`, locked for this transaction; other replicas skip them. */
async function lockDueAuctions(tx: Tx, announced: boolean, now: Date): Promise<number[]> {
  const column = announced ? 'closesAt' : 'opensAt';
  const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
    `SELECT id FROM "Auction" WHERE status = 'OPEN' AND announced = $1 AND "${column}" <= $2
     ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 50`,
    announced,
    now,
  );
  return rows.map((r) => r.id);
}

/** Publishes every auction round whose opening time has come. */
export async function announceDue(ctx: CoordinatorContext): Promise<number> {
  const { prisma, config } = ctx;
  const announcements = await prisma.$transaction(async (tx) => {
    const now = Date.now();
    const ids = await lockDueAuctions(tx, false, new Date(now));
    const out: Announcement[] = [];
    for (const id of ids) {
      const closesAt = now + config.auctionWindowMs;
      const a = await tx.auction.update({
        where: { id },
        data: { announced: true, opensAt: new Date(now), closesAt: new Date(closesAt) },
        include: { job: { include: { circuit: true, _count: { select: { items: true } } } } },
      });
      out.push({
        jobId: a.jobId,
        attempt: a.attempt,
        round: a.round,
        circuitId: a.job.circuitId,
        vkHash: a.job.circuit.vkHash,
        gates: a.job.circuit.gates,
        dyadic: a.job.circuit.dyadic,
        batchSize: a.job._count.items,
        deadline: Math.floor(a.job.deadline.getTime() / 1000),
        reserveWei: a.job.reserveWei,
        collateralWei: a.job.collateralWei,
        closesAt,
        rule: a.rule,
        inputsHash: a.job.inputsHash,
        coordinatorUrl: ctx.publicUrl(),
      });
    }
    return out;
  });
  for (const a of announcements) {
    ctx.nc.publish(ANNOUNCE_SUBJECT, encode(a));
    ctx.metrics.auctionsAnnounced.inc();
    ctx.log.info(
      { jobId: a.jobId, attempt: a.attempt, round: a.round, closesAt: a.closesAt },
      'auction announced',
    );
  }
  for (const closesAt of new Set(announcements.map((a) => a.closesAt))) ctx.kick.close(closesAt);
  return announcements.length;
}

/** Closes every announced round whose window has ended. */
export async function closeDue(ctx: CoordinatorContext): Promise<number> {
  const { prisma, config } = ctx;
  const { closed, awarded } = await prisma.$transaction(async (tx) => {
    const now = Date.now();
    const ids = await lockDueAuctions(tx, true, new Date(now));
    let awarded = 0;
    for (const id of ids) {
      const auction = await tx.auction.findUniqueOrThrow({
        where: { id },
        include: { bids: true, job: { include: { _count: { select: { items: true } } } } },
      });
      const { job } = auction;
      // A prover works on one job at a time: bidders still holding another award sit this one out
      // (their award queue would outlive its lease, and their collateral is already locked).
      const busy = new Set(
        (
          await tx.assignment.findMany({
            where: {
              status: { in: AWARDED },
              prover: { in: auction.bids.map((b) => b.prover) },
            },
            select: { prover: true },
          })
        ).map((a) => a.prover),
      );
      const eligible = auction.bids.filter((b) => !busy.has(b.prover));
      const outcome = decideWinner(
        eligible.map((b) => ({ prover: b.prover, price: BigInt(b.priceWei), receivedAt: b.receivedAt })),
        auction.rule,
        BigInt(job.reserveWei),
      );
      if (job.status !== 'AUCTIONING') {
        await tx.auction.update({ where: { id }, data: { status: 'NO_BIDS' } });
        continue;
      }
      if (outcome) {
        const price = outcome.clearingPrice.toString();
        // Optimistic award: the winner starts now, before this transaction writes the assignment
        // (a result that overtakes the commit is redelivered until it lands). Sent inside the
        // transaction, so a committed award was always sent; a rolled-back one only earns the
        // prover a refusal, and the round is closed again with the same message id.
        await publishAward(
          ctx,
          {
            jobId: job.id,
            attempt: auction.attempt,
            prover: outcome.winner.prover,
            priceWei: price,
            circuitId: job.circuitId,
            batchSize: job._count.items,
            deadline: Math.floor(job.deadline.getTime() / 1000),
            inputsHash: job.inputsHash,
            coordinatorUrl: ctx.publicUrl(),
          },
          auction.opensAt,
        );
        await tx.auction.update({
          where: { id },
          data: { status: 'AWARDED', winner: outcome.winner.prover, clearingPriceWei: price },
        });
        await moveJob(tx, job.id, ['AUCTIONING'], 'ASSIGNED', `won by ${outcome.winner.prover}`, {
          winner: outcome.winner.prover,
          clearingPriceWei: price,
        });
        await tx.assignment.create({
          data: {
            jobId: job.id,
            attempt: auction.attempt,
            prover: outcome.winner.prover,
            priceWei: price,
            status: 'PENDING_CHAIN',
            leaseUntil: new Date(now + config.leaseMs),
          },
        });
        await tx.outboxAction.create({
          data: {
            kind: 'ASSIGN',
            jobId: job.id,
            payload: { attempt: auction.attempt, prover: outcome.winner.prover, price },
            idempotencyKey: `assign:${job.id}:${auction.attempt}`,
          },
        });
        awarded++;
        ctx.metrics.auctionsClosed.inc({ outcome: 'awarded' });
        ctx.metrics.bidsPerAuction.observe(auction.bids.length);
        ctx.metrics.clearingPriceEth.observe(Number(formatEther(outcome.clearingPrice)));
        ctx.log.info(
          { jobId: job.id, prover: outcome.winner.prover, price, bids: auction.bids.length },
          'auction closed with a winner',
        );
        continue;
      }
      await tx.auction.update({ where: { id }, data: { status: 'NO_BIDS' } });
      ctx.metrics.auctionsClosed.inc({ outcome: 'no_bids' });
      ctx.metrics.bidsPerAuction.observe(0);
      const delay = Math.min(config.reannounceBaseMs * 2 ** auction.round, config.reannounceMaxMs);
      const opensAt = now + delay;
      if (await timeRemains(tx, job.id, opensAt, config)) {
        await tx.auction.create({
          data: {
            jobId: job.id,
            attempt: auction.attempt,
            round: auction.round + 1,
            rule: auction.rule,
            opensAt: new Date(opensAt),
            closesAt: new Date(opensAt + config.auctionWindowMs),
          },
        });
        ctx.log.info({ jobId: job.id, round: auction.round + 1, delay }, 'no bids: re-announcing');
      } else {
        await expireJob(tx, job.id, ['AUCTIONING'], 'no bids before the deadline');
        ctx.log.info({ jobId: job.id }, 'no bids and no time left: expiring');
      }
    }
    return { closed: ids.length, awarded };
  });
  if (awarded > 0) ctx.kick.outbox();
  return closed;
}
