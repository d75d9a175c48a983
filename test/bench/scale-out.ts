// scale_out: the market on the scaled-out layout — R coordinator replicas (processes, each its own
// key) behind the stack's HTTP balancer, a 3-node NATS cluster, one Postgres, anvil — against many
// simulated bidders (real NATS clients with their own keys, registered and staked on-chain). Every
// bidder's bid on every job is signed before the jobs exist (their ids are chosen up front), so
// bidding costs the harness only a send; jobs are submitted by several requesters in parallel with
// a long auction window, so all rounds are open at once and the bids arrive as one burst: bids/s is
// what the replicas accept at saturation. Winners prove tiny_square for real. Award latency is
// measured at the winner, from the round's close (the announced closesAt) to the award's receipt.
// With `taskset`, the harness (bidders, requesters) is pinned to one core and the replicas to the
// other; anvil, Postgres and NATS are not pinned.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { hexlify, parseEther, randomBytes, type Wallet } from 'ethers';
import { fetchInputs } from '../../services/prover/proving/fetch-work.js';
import { seededRandom } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { bidDomain } from '../../services/shared/protocol/bid-signing.js';
import { type BidRequest, parseAward } from '../../services/shared/protocol/messages.js';
import { ProverLink } from '../../services/shared/protocol/prover-link.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit } from '../../services/shared/proving/circuit-prover.js';
import {
  auditJobs,
  type ProcessMarket,
  startProcessMarket,
  waitForTerminal,
} from '../fixtures/process-market.js';
import { ProofQueue } from './scale.js';
import { percentile } from './stats.js';

const WINDOW_MS = 10_000;
const FIRST_BIDDER = 10;
const REQUESTERS = [2, 3, 4, 5, 6, 7, 8, 9];

export interface ScaleOutFigure {
  replicas: number;
  nats_nodes: number;
  bidders: number;
  jobs: number;
  bids_per_sec: number;
  p50_award_ms: number;
  p99_award_ms: number;
  jobs_per_min: number;
  lost: number;
  double_paid: number;
  bids_sent: number;
  bids_accepted: number;
  bids_refused: Record<string, number>;
  bid_burst_ms: number;
  awards_measured: number;
  auction_window_ms: number;
  cores: string;
}

/** Pins `pid` (every thread) to `cores` when taskset is installed; returns whether it did. */
function pin(pid: number, cores: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', cores, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Bidder {
  link: ProverLink;
  /** This bidder's signed bid on each job (attempt 0, first round), by job id. */
  signed: Map<string, BidRequest>;
}

async function connectBidders(m: ProcessMarket, wallets: Wallet[], log: (s: string) => void) {
  const domain = bidDomain(m.chain.deployment.chainId, m.chain.deployment.market);
  const bidders: Bidder[] = [];
  for (let i = 0; i < wallets.length; i += 50) {
    const batch = await Promise.all(
      wallets.slice(i, i + 50).map(async (wallet, j) => {
        const link = await ProverLink.connect({
          coordinatorUrl: m.url,
          natsUrl: m.nats.url,
          wallet,
          domain,
          name: `sim-${i + j}`,
          firstNonce: BigInt(i + j + 1) * 1_000_000n,
        });
        const caps = { name: `sim-${i + j}`, backend: 'wasm', threads: 1, maxDyadic: 4096 };
        await link.hello(
          { ...caps, proofSystems: ['ultrahonk'], gatesPerSec: 1_000_000 },
          { timeoutMs: 30_000 },
        );
        return { link, signed: new Map<string, BidRequest>() };
      }),
    );
    bidders.push(...batch);
    log(`scale_out: ${bidders.length}/${wallets.length} bidders connected`);
  }
  return bidders;
}

/** Signs every bidder's bid on every job ahead of time (prices spread so auctions have a winner). */
async function presign(bidders: Bidder[], jobIds: string[]) {
  const rnd = seededRandom(17);
  const expiry = Math.floor(Date.now() / 1000) + 3600;
  for (const b of bidders)
    for (const jobId of jobIds) {
      const price = parseEther('0.001') + BigInt(Math.floor(rnd() * 1e6)) * 10n ** 9n;
      b.signed.set(jobId, await b.link.signBid({ jobId, attempt: 0, price, expiry, deliverySeconds: 600 }));
    }
}

/** Each bidder proves what it wins (one shared proof queue) and records close → award receipt. */
async function proveAwards(b: Bidder, queue: ProofQueue, closes: Map<string, number>, latencies: number[]) {
  const messages = await b.link.awards();
  void (async () => {
    for await (const msg of messages) {
      const award = parseAward(msg.data).body;
      const closedAt = closes.get(`${award.jobId}:${award.attempt}`);
      if (closedAt !== undefined) latencies.push(Date.now() - closedAt);
      const items = (await fetchInputs(
        award.coordinatorUrl,
        award.jobId,
        award.inputsHash,
        b.link.wallet,
      )) as Record<string, unknown>[];
      await b.link.heartbeat(award, 0, items.length);
      for (const [index, inputs] of items.entries()) {
        msg.working();
        await b.link.publishResult(award, index, await queue.prove(inputs));
        await b.link.heartbeat(award, index + 1, items.length);
      }
      msg.ack();
    }
  })().catch(() => undefined);
}

export async function scaleOut(
  replicas: number,
  bidderCount: number,
  jobCount: number,
  log: (s: string) => void,
): Promise<ScaleOutFigure> {
  const m = await startProcessMarket(
    {
      GAVEL_AUCTION_WINDOW_MS: String(WINDOW_MS),
      GAVEL_DB_POOL_SIZE: '20',
      GAVEL_RATE_LIMIT_PER_MIN: '0',
      GAVEL_LOG_LEVEL: 'error',
    },
    { accounts: FIRST_BIDDER + bidderCount, replicas, natsNodes: 3 },
  );
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  const bidders: Bidder[] = [];
  try {
    const split = cpus().length >= 2;
    const pinned =
      split &&
      pin(process.pid, '0') &&
      m.stack.coordinatorProcesses.every((p) => p !== undefined && pin(p.pid, String(cpus().length - 1)));
    const cores = pinned
      ? `harness (bidders, requesters, proofs) on core 0; the ${replicas} replica(s) on core ${cpus().length - 1}; anvil, Postgres and NATS unpinned`
      : 'not pinned (taskset missing or one core)';
    log(`scale_out ${replicas} replica(s): registering and staking ${bidderCount} bidders; ${cores}`);
    const wallets = m.chain.wallets.slice(FIRST_BIDDER, FIRST_BIDDER + bidderCount);
    for (let i = 0; i < wallets.length; i += 25) {
      await Promise.all(
        wallets.slice(i, i + 25).map(async (_w, j) => {
          const c = m.chain.as(FIRST_BIDDER + i + j);
          await c.registerProver(`sim-${i + j}`, '');
          await c.stake(parseEther('2'));
        }),
      );
    }
    bidders.push(...(await connectBidders(m, wallets, log)));
    const jobIds = Array.from({ length: jobCount }, () => hexlify(randomBytes(32)).toLowerCase());
    log(`scale_out: signing ${bidderCount * jobCount} bids ahead of time`);
    await presign(bidders, jobIds);
    const tiny = loadCircuit('tiny_square');
    const queue = new ProofQueue(backend, await prepareCircuit(backend, tiny));
    const closes = new Map<string, number>();
    const latencies: number[] = [];
    const replies: Promise<{ accepted: boolean; code?: string } | undefined>[] = [];
    let firstSent = 0;
    let lastReply = 0;
    for (const b of bidders) {
      await proveAwards(b, queue, closes, latencies);
      b.link.announcements((a) => {
        closes.set(`${a.jobId}:${a.attempt}`, a.closesAt);
        const request = a.attempt === 0 && a.round === 0 ? b.signed.get(a.jobId) : undefined;
        if (!request) return;
        if (!firstSent) firstSent = Date.now();
        replies.push(
          b.link.sendBid(request, 60_000).then(
            (r) => {
              lastReply = Date.now();
              return r;
            },
            () => undefined,
          ),
        );
      });
    }
    const circuitId = (await m.client.registerCircuit(tiny)).id;
    log(`scale_out: ${REQUESTERS.length} requesters submitting ${jobCount} jobs in parallel`);
    const started = Date.now();
    await Promise.all(
      REQUESTERS.map(async (requester, r) => {
        for (let j = r; j < jobCount; j += REQUESTERS.length) {
          const x = BigInt(j + 2);
          await m.submit({
            jobId: jobIds[j],
            circuitId,
            items: [{ x: x.toString(), y: (x * x).toString() }],
            collateralEth: '0.1',
            deadlineIn: 3600,
            requester,
          });
        }
      }),
    );
    await waitForTerminal(m, jobIds, 60 * 60_000);
    const elapsedMs = Date.now() - started;
    const answered = (await Promise.all(replies)).filter((r) => r !== undefined);
    const accepted = answered.filter((r) => r.accepted).length;
    const refused: Record<string, number> = {};
    for (const r of answered) if (!r.accepted) refused[r.code ?? '?'] = (refused[r.code ?? '?'] ?? 0) + 1;
    const burstMs = lastReply - firstSent;
    const audit = await auditJobs(m, jobIds, 0);
    return {
      replicas,
      nats_nodes: 3,
      bidders: bidderCount,
      jobs: jobCount,
      bids_per_sec: Math.round((accepted / (burstMs / 1000)) * 10) / 10,
      p50_award_ms: percentile(latencies, 50),
      p99_award_ms: percentile(latencies, 99),
      jobs_per_min: Math.round((audit.settled / (elapsedMs / 60_000)) * 10) / 10,
      lost: audit.lost,
      double_paid: audit.doublePayments,
      bids_sent: replies.length,
      bids_accepted: accepted,
      bids_refused: { ...refused, unanswered: replies.length - answered.length },
      bid_burst_ms: burstMs,
      awards_measured: latencies.length,
      auction_window_ms: WINDOW_MS,
      cores,
    };
  } finally {
    for (const b of bidders) await b.link.nc.close().catch(() => undefined);
    await backend.destroy();
    await m.stop();
    pin(process.pid, `0-${cpus().length - 1}`);
  }
}
