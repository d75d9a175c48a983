// Scale: many simulated bidders — real NATS clients, each with its own key, registered and staked
// on-chain, signing real EIP-712 bids — against the coordinator process; winners prove tiny_square
// for real. Measures jobs per minute, award latency at the winner (round close → award received),
// coordinator memory.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { NatsConnection } from '@nats-io/transport-node';
import { parseEther, type Wallet } from 'ethers';
import { offerFor, ProverLink } from '../../services/prover/prover-link.js';
import { fetchInputs } from '../../services/prover/proving/fetch-work.js';
import { seededRandom } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { bidDomain } from '../../services/shared/protocol/bid-signing.js';
import { parseAward } from '../../services/shared/protocol/messages.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import {
  type PreparedCircuit,
  prepareCircuit,
  proveInputs,
} from '../../services/shared/proving/circuit-prover.js';
import { type ProcessMarket, startProcessMarket, waitForTerminal } from '../fixtures/process-market.js';
import { percentile, spread } from './stats.js';

const WINDOW_MS = 1000;
const FIRST_BIDDER = 10;

/** One proof at a time on one shared backend (the bidders are simulated; their proofs are not). */
export class ProofQueue {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly backend: BbBackend,
    private readonly circuit: PreparedCircuit,
  ) {}
  prove(inputs: Record<string, unknown>) {
    const next = this.tail.then(() => proveInputs(this.backend, this.circuit, inputs as never));
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A simulated bidder proves every award it gets (on the shared queue) and records, per award,
 *  the time from its round's close (`closes`, by job and attempt) to its receipt. */
export async function proveWhatItWins(
  link: ProverLink,
  queue: ProofQueue,
  closes: Map<string, number>,
  latencies: number[],
): Promise<void> {
  const messages = await link.awards();
  void (async () => {
    for await (const msg of messages) {
      const award = parseAward(msg.data).body;
      // The award latency that counts: from the round's close to the winner holding its award.
      const closedAt = closes.get(`${award.jobId}:${award.attempt}`);
      if (closedAt !== undefined) latencies.push(Date.now() - closedAt);
      const items = (await fetchInputs(
        award.coordinatorUrl,
        award.jobId,
        award.inputsHash,
        link.wallet,
      )) as Record<string, unknown>[];
      await link.heartbeat(award, 0, items.length);
      for (const [index, inputs] of items.entries()) {
        msg.working(); // proofs wait in a shared queue: keep the award from being redelivered
        await link.publishResult(award, index, await queue.prove(inputs));
        await link.heartbeat(award, index + 1, items.length);
      }
      msg.ack();
    }
  })().catch(() => undefined);
}

async function startBidder(
  m: ProcessMarket,
  wallet: Wallet,
  queue: ProofQueue,
  participation: number,
  seed: number,
  awardLatencies: number[],
): Promise<NatsConnection> {
  const domain = bidDomain(m.chain.deployment.chainId, m.chain.deployment.market);
  const link = await ProverLink.connect({
    coordinatorUrl: m.url,
    natsUrl: m.nats.url,
    wallet,
    domain,
    name: `sim-${wallet.address}`,
    firstNonce: BigInt(seed) * 1_000_000n,
  });
  const caps = {
    name: `sim-${seed}`,
    backend: 'wasm',
    proofSystems: ['ultrahonk' as const],
    threads: 1,
    maxDyadic: 4096,
    gatesPerSec: 1_000_000,
  };
  await link.hello(caps, { timeoutMs: 30_000 });
  const rnd = seededRandom(seed);
  const closes = new Map<string, number>();
  link.announcements((a) => {
    closes.set(`${a.jobId}:${a.attempt}`, a.closesAt);
    if (rnd() > participation) return;
    const price = parseEther('0.001') + BigInt(Math.floor(rnd() * 1e6)) * 10n ** 9n;
    void link.bid(offerFor(a, price), 30_000).catch(() => undefined);
  });
  await proveWhatItWins(link, queue, closes, awardLatencies);
  return link.nc;
}

/** Announce→award as the coordinator saw it: from a round's opening to its assignment's creation. */
async function coordinatorAwardLatencies(m: ProcessMarket, jobIds: string[]): Promise<number[]> {
  const rows = await m.prisma.$queryRaw<{ ms: number }[]>`
    SELECT EXTRACT(EPOCH FROM (s."createdAt" - a."opensAt")) * 1000 AS ms
    FROM "Auction" a JOIN "Assignment" s ON s."jobId" = a."jobId" AND s.attempt = a.attempt
    WHERE a.status = 'AWARDED' AND a."jobId" = ANY(${jobIds})`;
  return rows.map((r) => Math.round(Number(r.ms)));
}

/** One round: `jobs` jobs submitted back to back (x from `firstX`), timed until every one ended. */
async function scaleRound(
  m: ProcessMarket,
  circuitId: string,
  jobs: number,
  firstX: number,
  latencies: number[],
) {
  const from = latencies.length;
  // The bidders share this process: its own event-loop delay adds to what they measure.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = Date.now();
  const ids: string[] = [];
  for (let j = 0; j < jobs; j++) {
    const x = BigInt(firstX + j);
    ids.push(
      await m.submit({
        circuitId,
        items: [{ x: x.toString(), y: (x * x).toString() }],
        collateralEth: '0.1',
        deadlineIn: 3600,
      }),
    );
  }
  const submitMs = Date.now() - started;
  await waitForTerminal(m, ids, 60 * 60_000);
  const elapsedMs = Date.now() - started;
  lag.disable();
  const atWinner = latencies.slice(from);
  const atCoordinator = await coordinatorAwardLatencies(m, ids);
  const settled = await m.prisma.job.count({ where: { id: { in: ids }, status: 'SETTLED' } });
  return {
    settled,
    bidsAccepted: await m.prisma.bid.count({ where: { auction: { jobId: { in: ids } } } }),
    submitMs,
    elapsedMs,
    jobs_per_min: Math.round((settled / (elapsedMs / 60_000)) * 10) / 10,
    p50_award_ms: percentile(atWinner, 50),
    p99_award_ms: percentile(atWinner, 99),
    awards_measured: atWinner.length,
    coordinator_p50_award_ms: percentile(atCoordinator, 50),
    coordinator_p99_award_ms: percentile(atCoordinator, 99),
    bidder_process_lag_p99_ms: Math.round(lag.percentile(99) / 1e6),
  };
}

/** `repeats` rounds of `jobs` jobs on one market of `bidders` bidders: per-round figures and, for
 *  the headline ones, their median with min and max. */
export async function scale(
  bidders: number,
  jobs: number,
  participation: number,
  repeats: number,
  log: (s: string) => void,
) {
  const m = await startProcessMarket(
    { GAVEL_AUCTION_WINDOW_MS: String(WINDOW_MS), GAVEL_DB_POOL_SIZE: '20' },
    { accounts: FIRST_BIDDER + bidders },
  );
  const connections: NatsConnection[] = [];
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  try {
    const tiny = loadCircuit('tiny_square');
    const queue = new ProofQueue(backend, await prepareCircuit(backend, tiny));
    log(`scale: registering and staking ${bidders} bidders`);
    const wallets = m.chain.wallets.slice(FIRST_BIDDER, FIRST_BIDDER + bidders);
    for (let i = 0; i < wallets.length; i += 20) {
      await Promise.all(
        wallets.slice(i, i + 20).map(async (_w, j) => {
          const c = m.chain.as(FIRST_BIDDER + i + j);
          await c.registerProver(`sim-${i + j}`, '', parseEther('2'));
        }),
      );
    }
    const latencies: number[] = [];
    for (const [i, w] of wallets.entries())
      connections.push(await startBidder(m, w, queue, participation, 1000 + i, latencies));
    const circuitId = (await m.client.registerCircuit(tiny)).id;
    const runs: Awaited<ReturnType<typeof scaleRound>>[] = [];
    for (let r = 0; r < repeats; r++) {
      log(`scale: round ${r + 1}/${repeats}, submitting ${jobs} jobs`);
      runs.push(await scaleRound(m, circuitId, jobs, 2 + r * jobs, latencies));
    }
    const rssKb = Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${m.coordinator.pid}/status`, 'utf8'))?.[1],
    );
    const of = (k: 'jobs_per_min' | 'p50_award_ms' | 'p99_award_ms' | 'coordinator_p99_award_ms') =>
      spread(runs.map((run) => run[k]));
    return {
      bidders,
      participation,
      jobs,
      auctionWindowMs: WINDOW_MS,
      settled: runs.reduce((n, run) => n + run.settled, 0),
      jobs_per_min: of('jobs_per_min'),
      p50_award_ms: of('p50_award_ms'),
      p99_award_ms: of('p99_award_ms'),
      coordinator_p99_award_ms: of('coordinator_p99_award_ms'),
      coordinator_rss_mb: Math.round(rssKb / 1024),
      runs,
    };
  } finally {
    for (const nc of connections) await nc.close().catch(() => undefined);
    await backend.destroy();
    await m.stop();
  }
}
