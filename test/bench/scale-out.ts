// scale_out: the market on the scaled-out layout — R coordinator replicas (processes, each its own
// key) behind the stack's HTTP balancer, a 3-node NATS cluster, one Postgres, anvil — against many
// simulated bidders (real NATS clients with their own keys, registered and staked on-chain). Every
// bidder's bid on every job is signed before the jobs exist (their ids are chosen up front), so
// bidding costs the harness only a send. Jobs are submitted by several requesters in parallel with
// a window long enough that all rounds are open at once; when the last is announced, every bid goes
// out in one burst: bids/s is what the replicas accept at saturation, and the CPU each part used
// during the burst says where the time went. Winners prove tiny_square for real. Award latency is
// measured at the winner, from the round's close (the announced closesAt) to the award's receipt.
// With `taskset`, each replica gets a core of its own; everything else shares the rest.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexlify, parseEther, randomBytes, type Wallet } from 'ethers';
import { ProverLink } from '../../services/prover/prover-link.js';
import { seededRandom } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { bidDomain } from '../../services/shared/protocol/bid-signing.js';
import type { BidRequest } from '../../services/shared/protocol/messages.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit } from '../../services/shared/proving/circuit-prover.js';
import {
  auditJobs,
  type ProcessMarket,
  startProcessMarket,
  waitForTerminal,
} from '../fixtures/process-market.js';
import { ProofQueue, proveWhatItWins } from './scale.js';
import { percentile, profileBuckets, type Spread, spread } from './stats.js';

/** The auction window: long enough for every job to be announced and the whole burst of bids
 *  (jobs × bidders, at a conservative 100 bids/s) to be judged before the first round closes. */
const windowMs = (bids: number) => Math.min(180_000, 15_000 + Math.ceil(bids / 100) * 1000);
const FIRST_BIDDER = 10;
const REQUESTERS = [2, 3, 4, 5, 6, 7, 8, 9];

export interface ScaleOutFigure {
  replicas: number;
  nats_nodes: number;
  bidders: number;
  jobs: number;
  /** Median over the rounds (one burst each), with min and max in bids_per_sec_spread. */
  bids_per_sec: number;
  bids_per_sec_spread: Spread;
  p50_award_ms: number;
  p99_award_ms: number;
  jobs_per_min: number;
  lost: number;
  double_paid: number;
  bids_sent: number;
  bids_accepted: number;
  bids_refused: Record<string, number>;
  bid_burst_ms: number;
  /** CPU seconds used during the median round's burst, by part: where the time goes. */
  burst_cpu_seconds: Record<string, number>;
  /** The first replica's V8 CPU profile over its whole run: self time by package or file. */
  replica_profile: { where: string; percent: number }[];
  /** Awards received by winners over all rounds (the award percentiles are over these). */
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

/** CPU seconds (user + system) used so far by every process, by pid, with its command name. */
function cpuByProcess(): Map<number, { comm: string; seconds: number }> {
  const out = new Map<number, { comm: string; seconds: number }>();
  const tick = 100; // USER_HZ on Linux
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
      out.set(Number(entry), { comm, seconds });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Where the CPU went between two snapshots: replicas, harness, Postgres, anvil, NATS, the rest. */
function cpuProfile(
  before: Map<number, { comm: string; seconds: number }>,
  after: Map<number, { comm: string; seconds: number }>,
  replicaPids: number[],
): Record<string, number> {
  const profile: Record<string, number> = {};
  for (const [pid, a] of after) {
    const used = a.seconds - (before.get(pid)?.seconds ?? 0);
    if (used <= 0) continue;
    const who = replicaPids.includes(pid)
      ? 'replicas'
      : pid === process.pid
        ? 'harness (bidders)'
        : a.comm.startsWith('postgres')
          ? 'postgres'
          : a.comm.startsWith('anvil')
            ? 'anvil'
            : a.comm.startsWith('nats-server')
              ? 'nats-server'
              : 'other';
    profile[who] = Math.round(((profile[who] ?? 0) + used) * 10) / 10;
  }
  return profile;
}

interface Bidder {
  link: ProverLink;
  /** This bidder's signed bid on each job (attempt 0, first round), by job id. */
  signed: Map<string, BidRequest>;
}

async function connectBidders(m: ProcessMarket, wallets: Wallet[], log: (s: string) => void) {
  const domain = bidDomain(m.chain.deployment.chainId, m.chain.deployment.market);
  const bidders: Bidder[] = [];
  for (let i = 0; i < wallets.length; i += 20) {
    const batch = await Promise.all(
      wallets.slice(i, i + 20).map(async (wallet, j) => {
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
    if (bidders.length % 100 === 0) log(`scale_out: ${bidders.length}/${wallets.length} bidders connected`);
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

/** What one burst round measured. */
interface RoundResult {
  bidsPerSec: number;
  burstMs: number;
  sent: number;
  accepted: number;
  refused: Record<string, number>;
  cpu: Record<string, number>;
  settled: number;
  elapsedMs: number;
  lost: number;
  doublePaid: number;
}

interface Harness {
  m: ProcessMarket;
  bidders: Bidder[];
  circuitId: string;
  replicaPids: number[];
  /** Called with every announcement any bidder hears (bidder 0 reports for all). */
  onAnnouncement: (a: { jobId: string; attempt: number; round: number }) => void;
}

/** One round: `jobCount` new jobs (ids chosen now, every bid signed now), submitted by eight
 *  requesters in parallel; when all are announced, every bid goes in one burst. */
async function burstRound(h: Harness, jobCount: number, log: (s: string) => void): Promise<RoundResult> {
  const jobIds = Array.from({ length: jobCount }, () => hexlify(randomBytes(32)).toLowerCase());
  for (const b of h.bidders) b.signed.clear();
  log(`scale_out: signing ${h.bidders.length * jobCount} bids ahead of time`);
  await presign(h.bidders, jobIds);
  const announced = new Set<string>();
  const allAnnounced = new Promise<void>((resolve) => {
    h.onAnnouncement = (a) => {
      if (a.attempt === 0 && a.round === 0 && jobIds.includes(a.jobId)) announced.add(a.jobId);
      if (announced.size === jobIds.length) resolve();
    };
  });
  const replies: Promise<{ accepted: boolean; code?: string } | undefined>[] = [];
  let lastReply = 0;
  const burst = allAnnounced.then(() => {
    const cpuBefore = cpuByProcess();
    const firstSent = Date.now();
    for (const b of h.bidders)
      for (const request of b.signed.values())
        replies.push(
          b.link.sendBid(request, 120_000).then(
            (r) => {
              lastReply = Date.now();
              return r;
            },
            () => undefined,
          ),
        );
    return Promise.all(replies).then(() => ({
      ms: lastReply - firstSent,
      cpu: cpuProfile(cpuBefore, cpuByProcess(), h.replicaPids),
    }));
  });
  log(`scale_out: ${REQUESTERS.length} requesters submitting ${jobCount} jobs in parallel`);
  const started = Date.now();
  await Promise.all(
    REQUESTERS.map(async (requester, r) => {
      for (let j = r; j < jobCount; j += REQUESTERS.length) {
        const x = BigInt(j + 2);
        await h.m.submit({
          jobId: jobIds[j],
          circuitId: h.circuitId,
          items: [{ x: x.toString(), y: (x * x).toString() }],
          collateralEth: '0.1',
          deadlineIn: 3600,
          requester,
        });
      }
    }),
  );
  const bursted = await burst;
  await waitForTerminal(h.m, jobIds, 60 * 60_000);
  const elapsedMs = Date.now() - started;
  const answered = (await Promise.all(replies)).filter((r) => r !== undefined);
  const accepted = answered.filter((r) => r.accepted).length;
  const refused: Record<string, number> = {};
  for (const r of answered) if (!r.accepted) refused[r.code ?? '?'] = (refused[r.code ?? '?'] ?? 0) + 1;
  if (replies.length > answered.length) refused.unanswered = replies.length - answered.length;
  const audit = await auditJobs(h.m, jobIds, 0);
  return {
    bidsPerSec: accepted / (bursted.ms / 1000),
    burstMs: bursted.ms,
    sent: replies.length,
    accepted,
    refused,
    cpu: bursted.cpu,
    settled: audit.settled,
    elapsedMs,
    lost: audit.lost,
    doublePaid: audit.doublePayments,
  };
}

/** Registers and stakes the bidders, connects them, and has them prove what they win. */
async function startHarness(
  m: ProcessMarket,
  bidderCount: number,
  queue: ProofQueue,
  latencies: number[],
  replicaPids: number[],
  log: (s: string) => void,
): Promise<Harness> {
  const wallets = m.chain.wallets.slice(FIRST_BIDDER, FIRST_BIDDER + bidderCount);
  for (let i = 0; i < wallets.length; i += 25) {
    await Promise.all(
      wallets.slice(i, i + 25).map(async (_w, j) => {
        const c = m.chain.as(FIRST_BIDDER + i + j);
        await c.registerProver(`sim-${i + j}`, '', parseEther('2'));
      }),
    );
  }
  const h: Harness = {
    m,
    bidders: [],
    circuitId: (await m.client.registerCircuit(loadCircuit('tiny_square'))).id,
    replicaPids,
    onAnnouncement: () => undefined,
  };
  h.bidders.push(...(await connectBidders(m, wallets, log)));
  const closes = new Map<string, number>();
  for (const [i, b] of h.bidders.entries()) {
    await proveWhatItWins(b.link, queue, closes, latencies);
    b.link.announcements((a) => {
      closes.set(`${a.jobId}:${a.attempt}`, a.closesAt);
      if (i === 0) h.onAnnouncement(a);
    });
  }
  return h;
}

export async function scaleOut(
  replicas: number,
  bidderCount: number,
  jobCount: number,
  rounds: number,
  log: (s: string) => void,
): Promise<ScaleOutFigure> {
  const window = windowMs(bidderCount * jobCount);
  // The replicas are profiled by V8 (each writes its profile when it stops).
  const profileDir = mkdtempSync(join(tmpdir(), 'gavel-profile-'));
  const m = await startProcessMarket(
    {
      GAVEL_AUCTION_WINDOW_MS: String(window),
      GAVEL_DB_POOL_SIZE: '20',
      GAVEL_RATE_LIMIT_PER_MIN: '0',
      GAVEL_LOG_LEVEL: 'error',
    },
    {
      accounts: FIRST_BIDDER + bidderCount,
      replicas,
      natsNodes: 3,
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    },
  );
  const profiledPid = m.stack.coordinatorProcesses[0]?.pid;
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  let harness: Harness | undefined;
  let figure: Omit<ScaleOutFigure, 'replica_profile'> | undefined;
  try {
    // Each replica gets a core of its own (from the last core down); the harness, whose bids are
    // signed before each burst, and anvil, Postgres and NATS share what is left.
    const n = cpus().length;
    const replicaPids = m.stack.coordinatorProcesses.map((p) => (p as NonNullable<typeof p>).pid);
    const pinned = n > replicas && replicaPids.every((pid, i) => pin(pid, String(n - 1 - i)));
    const cores = pinned
      ? `replica i on core ${n - 1}-i (${replicas} of ${n} cores); the harness, anvil, Postgres and NATS unpinned`
      : 'not pinned (taskset missing, or no core to spare)';
    log(`scale_out ${replicas} replica(s): registering and staking ${bidderCount} bidders; ${cores}`);
    const queue = new ProofQueue(backend, await prepareCircuit(backend, loadCircuit('tiny_square')));
    const latencies: number[] = [];
    harness = await startHarness(m, bidderCount, queue, latencies, replicaPids, log);
    const results: RoundResult[] = [];
    for (let r = 0; r < rounds; r++) {
      results.push(await burstRound(harness, jobCount, log));
      log(`scale_out: round ${r + 1}/${rounds}: ${Math.round(results[r]?.bidsPerSec ?? 0)} bids/s`);
    }
    const sum = (f: (x: RoundResult) => number) => results.reduce((a, x) => a + f(x), 0);
    const refused: Record<string, number> = {};
    for (const x of results)
      for (const [k, v] of Object.entries(x.refused)) refused[k] = (refused[k] ?? 0) + v;
    const bids = spread(results.map((x) => x.bidsPerSec));
    figure = {
      replicas,
      nats_nodes: 3,
      bidders: bidderCount,
      jobs: jobCount * rounds,
      bids_per_sec: bids.median,
      bids_per_sec_spread: bids,
      p50_award_ms: percentile(latencies, 50),
      p99_award_ms: percentile(latencies, 99),
      jobs_per_min: Math.round((sum((x) => x.settled) / (sum((x) => x.elapsedMs) / 60_000)) * 10) / 10,
      lost: sum((x) => x.lost),
      double_paid: sum((x) => x.doublePaid),
      bids_sent: sum((x) => x.sent),
      bids_accepted: sum((x) => x.accepted),
      bids_refused: refused,
      bid_burst_ms: Math.round(spread(results.map((x) => x.burstMs)).median),
      burst_cpu_seconds: results[Math.floor(results.length / 2)]?.cpu ?? {},
      awards_measured: latencies.length,
      auction_window_ms: window,
      cores,
    };
  } finally {
    for (const b of harness?.bidders ?? []) await b.link.nc.close().catch(() => undefined);
    await backend.destroy();
    await m.stop();
  }
  const file = readdirSync(profileDir).find((f) => f.includes(`.${profiledPid}.`));
  const replica_profile = file
    ? profileBuckets(JSON.parse(readFileSync(join(profileDir, file), 'utf8')))
    : [];
  rmSync(profileDir, { recursive: true, force: true });
  return { ...(figure as Omit<ScaleOutFigure, 'replica_profile'>), replica_profile };
}
