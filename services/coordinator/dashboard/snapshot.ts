// What the dashboard shows, in one document: provers, recent jobs with progress, recent auctions
// with their (revealed) bids, and the series behind the charts.
import { formatEther } from 'ethers';
import type { CoordinatorContext } from '../context.js';
import { listProvers } from '../routes/provers.js';

const RECENT = 50;

export async function marketSnapshot(ctx: CoordinatorContext) {
  const [provers, jobs, auctions] = await Promise.all([
    listProvers(ctx),
    ctx.prisma.job.findMany({
      orderBy: { createdAt: 'desc' },
      take: RECENT,
      include: {
        circuit: { select: { name: true } },
        assignments: { orderBy: { attempt: 'desc' }, take: 1 },
        events: { orderBy: { id: 'asc' } },
        _count: { select: { items: true, proofs: true } },
      },
    }),
    ctx.prisma.auction.findMany({
      where: { announced: true },
      orderBy: { id: 'desc' },
      take: RECENT,
      include: { bids: { orderBy: { priceWei: 'asc' } } },
    }),
  ]);
  const eventAt = (j: (typeof jobs)[number], to: string) => j.events.find((e) => e.to === to)?.at;
  return {
    at: new Date().toISOString(),
    provers,
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
        clearingPriceEth: j.clearingPriceWei ? formatEther(j.clearingPriceWei) : null,
        reserveEth: formatEther(j.reserveWei),
        failureReason: j.failureReason,
        createdAt: j.createdAt,
      };
    }),
    auctions: auctions.map((a) => {
      const closed = a.status !== 'OPEN';
      return {
        jobId: a.jobId,
        attempt: a.attempt,
        round: a.round,
        rule: a.rule,
        status: a.status,
        closesAt: a.closesAt,
        winner: a.winner,
        clearingPriceEth: a.clearingPriceWei ? formatEther(a.clearingPriceWei) : null,
        bidCount: a.bids.length,
        // Sealed bids stay sealed until the round closes.
        bids: closed ? a.bids.map((b) => ({ prover: b.prover, priceEth: formatEther(b.priceWei) })) : [],
      };
    }),
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
