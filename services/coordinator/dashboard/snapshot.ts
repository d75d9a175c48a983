// What the dashboard shows, in one document: provers, recent jobs with progress, recent auctions
// with their (revealed) bids, deadlines enforced on-chain (watchtowers), and the chart series.
import { formatEther } from 'ethers';
import { recentAuctions } from '../auction/auction-view.js';
import type { CoordinatorContext } from '../context.js';
import { listProvers } from '../provers/list-provers.js';
import { EnforcementFeed } from './enforcements.js';

const RECENT = 50;

const feeds = new WeakMap<CoordinatorContext, EnforcementFeed>();

/** Slashes and expiries seen on-chain (a failure to read the chain shows none, never an error). */
async function enforcements(ctx: CoordinatorContext) {
  let feed = feeds.get(ctx);
  if (!feed) {
    feed = new EnforcementFeed(ctx.chain);
    feeds.set(ctx, feed);
  }
  return feed.latest().catch(() => []);
}

export async function marketSnapshot(ctx: CoordinatorContext) {
  const [provers, jobs, auctions, enforced] = await Promise.all([
    listProvers(ctx),
    ctx.prisma.job.findMany({
      orderBy: { createdAt: 'desc' },
      take: RECENT,
      include: {
        circuit: { select: { name: true } },
        assignments: { orderBy: { attempt: 'desc' }, take: 1 },
        settlement: true,
        events: { orderBy: { id: 'asc' } },
        _count: { select: { items: true, proofs: true } },
      },
    }),
    recentAuctions(ctx, RECENT),
    enforcements(ctx),
  ]);
  const eventAt = (j: (typeof jobs)[number], to: string) => j.events.find((e) => e.to === to)?.at;
  return {
    at: new Date().toISOString(),
    provers,
    enforcements: enforced,
    jobs: jobs.map((j) => {
      const a = j.assignments[0];
      return {
        jobId: j.id,
        circuit: j.circuit.name,
        status: j.status,
        rule: j.rule,
        items: j._count.items,
        verified: j._count.proofs,
        progress: a?.progress ?? 0,
        prover: a?.prover ?? null,
        // The winner's own signed delivery time (its on-chain attempt deadline), and the fulfil
        // transaction that verified the proofs on-chain and paid.
        attemptDeadline: a?.leaseUntil ?? null,
        paidTx: j.settlement?.txHash ?? null,
        clearingPriceEth: j.clearingPriceWei ? formatEther(j.clearingPriceWei) : null,
        reserveEth: formatEther(j.reserveWei),
        failureReason: j.failureReason,
        createdAt: j.createdAt,
      };
    }),
    auctions: auctions.map((a) => ({
      jobId: a.jobId,
      attempt: a.attempt,
      round: a.round,
      rule: a.rule,
      status: a.status,
      closesAt: a.closesAt,
      winner: a.winner,
      clearingPriceEth: a.clearingPriceWei ? formatEther(a.clearingPriceWei) : null,
      // The view keeps sealed bids sealed until the round closes; shown lowest price first.
      bids: [...a.bids]
        .sort((x, y) => (BigInt(x.priceWei) < BigInt(y.priceWei) ? -1 : 1))
        .map((b) => ({ prover: b.prover, priceEth: formatEther(b.priceWei) })),
    })),
    series: jobs
      .filter((j) => j.status === 'SETTLED')
      .map((j) => {
        const proving = eventAt(j, 'PROVING') ?? eventAt(j, 'ASSIGNED');
        const verifying = eventAt(j, 'VERIFYING');
        return {
          jobId: j.id,
          at: eventAt(j, 'SETTLED') ?? j.updatedAt,
          clearingPriceEth: Number(formatEther(j.clearingPriceWei ?? '0')),
          provingSeconds: proving && verifying ? (verifying.getTime() - proving.getTime()) / 1000 : null,
        };
      })
      .reverse(),
  };
}

export type MarketSnapshot = Awaited<ReturnType<typeof marketSnapshot>>;
