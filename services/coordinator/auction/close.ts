// Closing auction rounds when their window ends: the winner is decided and awarded at once (the
// assignment stage, injected by stages.ts, publishes the award and queues the collateral lock), or
// the round is re-announced with backoff while the deadline leaves time, else the job expires.
import { formatEther } from 'ethers';
import { STANDING, STANDING_WHY, type Standing } from '../../shared/protocol/auction-transcript.js';
import type { Award } from '../../shared/protocol/messages.js';
import type { CoordinatorContext, Tx } from '../context.js';
import { AWARDED, type WinningBids } from '../lifecycle/assignment-transitions.js';
import { expireJob, timeRemains } from '../lifecycle/attempts.js';
import { awardRound, closeRoundEmpty, scheduleRound } from '../lifecycle/auction-transitions.js';
import { mirrorsOfJob, moveJob } from '../lifecycle/job-transitions.js';
import { type AuctionOutcome, decideWinner } from './decide-winner.js';
import { lockDueRounds } from './due-rounds.js';
import { commitTranscript } from './transcript.js';

/** Sends the award of a closed round and records the assignment, in the close's transaction. */
export type AwardWinner = (
  ctx: CoordinatorContext,
  tx: Tx,
  award: Award,
  announcedAt: Date,
  bids: WinningBids,
) => Promise<void>;

type Round = Awaited<ReturnType<typeof loadRound>>;

function loadRound(tx: Tx, id: number) {
  return tx.auction.findUniqueOrThrow({
    where: { id },
    include: { bids: true, job: { include: { _count: { select: { items: true } } } } },
  });
}

/** Bidders still holding another award: a prover works on one job at a time (its award queue
 *  would outlive its lease, and its collateral is already locked), so they sit this round out. */
async function busyBidders(tx: Tx, round: Round): Promise<Map<string, Standing>> {
  const held = await tx.assignment.findMany({
    where: { status: { in: AWARDED }, prover: { in: round.bids.map((b) => b.prover) } },
    select: { prover: true },
  });
  return new Map(held.map((a) => [a.prover, STANDING.holdsAnotherAward]));
}

async function award(
  ctx: CoordinatorContext,
  tx: Tx,
  round: Round,
  outcome: AuctionOutcome,
  send: AwardWinner,
  transcriptRoot: string,
) {
  const { job } = round;
  const price = outcome.clearingPrice.toString();
  const prover = outcome.winner.prover;
  await send(
    ctx,
    tx,
    {
      jobId: job.id,
      attempt: round.attempt,
      prover,
      priceWei: price,
      circuitId: job.circuitId,
      batchSize: job._count.items,
      deadline: Math.floor(job.deadline.getTime() / 1000),
      inputsHash: job.inputsHash,
      coordinatorUrl: ctx.publicUrl(),
      mirrors: mirrorsOfJob(job),
    },
    round.opensAt,
    {
      winner: outcome.winner.id,
      runnerUp: outcome.runnerUp?.id ?? null,
      deliverySeconds: round.bids.find((b) => b.id === outcome.winner.id)?.deliverySeconds ?? 600,
      assignBy: round.assignBy,
      transcriptRoot,
    },
  );
  await awardRound(tx, round.id, prover, price);
  await moveJob(tx, job.id, ['AUCTIONING'], 'ASSIGNED', `won by ${prover}`, {
    winner: prover,
    clearingPriceWei: price,
  });
  ctx.metrics.auctionsClosed.inc({ outcome: 'awarded' });
  ctx.metrics.bidsPerAuction.observe(round.bids.length);
  ctx.metrics.clearingPriceEth.observe(Number(formatEther(outcome.clearingPrice)));
  ctx.log.info({ jobId: job.id, prover, price, bids: round.bids.length }, 'auction closed with a winner');
}

/** No eligible bid: re-announce after a backoff while time remains, else expire the job. */
async function noBids(ctx: CoordinatorContext, tx: Tx, round: Round, now: number) {
  const { config } = ctx;
  await closeRoundEmpty(tx, round.id);
  ctx.metrics.auctionsClosed.inc({ outcome: 'no_bids' });
  ctx.metrics.bidsPerAuction.observe(0);
  const delay = Math.min(config.reannounceBaseMs * 2 ** round.round, config.reannounceMaxMs);
  if (await timeRemains(tx, round.jobId, ctx.clock.chain.nowSeconds() + delay / 1000, config)) {
    const next = { jobId: round.jobId, attempt: round.attempt, round: round.round + 1, rule: round.rule };
    await scheduleRound(tx, {
      ...next,
      opensAt: new Date(now + delay),
      auctionWindowMs: config.auctionWindowMs,
    });
    ctx.log.info({ jobId: round.jobId, round: next.round, delay }, 'no bids: re-announcing');
  } else {
    await expireJob(tx, round.jobId, ['AUCTIONING'], 'no bids before the deadline');
    ctx.log.info({ jobId: round.jobId }, 'no bids and no time left: expiring');
  }
}

/**
 * Why `prover`, the best bid of a round, cannot be awarded it now, or undefined when it can. Its
 * prover row is locked first, so replicas closing rounds at the same moment never award one prover
 * two jobs: a prover another replica is awarding right now (row locked) sits this round out, and
 * once locked, awards committed since the round was loaded are seen. A prover whose free stake fell
 * below the collateral since its bid (it won elsewhere, or asked to unstake) sits out too: the
 * chain would refuse the assignment, and the honest prover would be dropped from the job.
 */
async function unavailable(
  ctx: CoordinatorContext,
  tx: Tx,
  round: Round,
  prover: string,
): Promise<Standing | undefined> {
  const mine = await tx.$queryRaw<{ address: string }[]>`
    SELECT address FROM "Prover" WHERE address = ${prover} FOR UPDATE SKIP LOCKED`;
  if (mine.length === 0) return STANDING.beingAwardedElsewhere;
  const held = await tx.assignment.count({ where: { prover, status: { in: AWARDED } } });
  if (held > 0) return STANDING.holdsAnotherAward;
  const free = (await ctx.chain.staking.getFunction('freeStake')(prover)) as bigint;
  if (free < BigInt(round.job.collateralWei)) return STANDING.stakeBelowCollateral;
  return undefined;
}

/** The round's outcome among the bids whose provers can take the job now (see unavailable); the
 *  provers found unable are added to `standings` with why. */
async function decideAmongAvailable(
  ctx: CoordinatorContext,
  tx: Tx,
  round: Round,
  standings: Map<string, Standing>,
): Promise<AuctionOutcome | undefined> {
  let pool = round.bids.filter((b) => !standings.has(b.prover));
  for (;;) {
    const outcome = decideWinner(
      pool.map((b) => ({
        id: b.id,
        prover: b.prover,
        price: BigInt(b.priceWei),
        deliverySeconds: b.deliverySeconds,
        receivedAt: b.receivedAt,
      })),
      round.rule,
      BigInt(round.job.reserveWei),
    );
    if (!outcome) return undefined;
    const { prover } = outcome.winner;
    const standing = await unavailable(ctx, tx, round, prover);
    if (standing === undefined) return outcome;
    standings.set(prover, standing);
    ctx.log.info(
      { jobId: round.jobId, prover, why: STANDING_WHY[standing] },
      'best bidder cannot take the job now: next bid',
    );
    pool = pool.filter((b) => b.prover !== prover);
  }
}

/** Closes round `id`; returns true when it was awarded. */
async function closeRound(ctx: CoordinatorContext, tx: Tx, id: number, now: number, send: AwardWinner) {
  const round = await loadRound(tx, id);
  if (round.job.status !== 'AUCTIONING') {
    await closeRoundEmpty(tx, id);
    return false;
  }
  const standings = await busyBidders(tx, round);
  const outcome = await decideAmongAvailable(ctx, tx, round, standings);
  if (!outcome) {
    await noBids(ctx, tx, round, now);
    return false;
  }
  const transcriptRoot = await commitTranscript(tx, ctx.domain, round, standings);
  await award(ctx, tx, round, outcome, send, transcriptRoot);
  return true;
}

/** Rounds closed per transaction: each close reads the winner's stake from the chain, so a big
 *  batch under load outran the transaction's time limit and rolled every award in it back (seen
 *  in the cluster fault test: 35 rounds due at once, "expired transaction" after 5 s). */
const CLOSE_BATCH = 8;

/** Closes every announced round whose window has ended, awarding winners through `send`, a few
 *  rounds per transaction. */
export async function closeDue(ctx: CoordinatorContext, send: AwardWinner): Promise<number> {
  let closed = 0;
  for (;;) {
    const batch = await ctx.prisma.$transaction(
      async (tx) => {
        const now = ctx.clock.wall.nowMs();
        const ids = await lockDueRounds(tx, true, new Date(now), CLOSE_BATCH);
        let won = 0;
        for (const id of ids) if (await closeRound(ctx, tx, id, now, send)) won++;
        return { closed: ids.length, awarded: won };
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
    closed += batch.closed;
    if (batch.awarded > 0) ctx.kick.outbox();
    if (batch.closed < CLOSE_BATCH) return closed;
  }
}
