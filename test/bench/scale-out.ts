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
import { percentile, profileBuckets } from './stats.js';

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
  /** CPU seconds used during the bid burst, by part: where the time goes. */
  burst_cpu_seconds: Record<string, number>;
  /** The first replica's V8 CPU profile over its whole run: self time by package or file. */
  replica_profile: { where: string; percent: number }[];
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
  const replicaPid = m.stack.coordinatorProcesses[0]?.pid;
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  const bidders: Bidder[] = [];
  let figure: Omit<ScaleOutFigure, 'replica_profile'> | undefined;
  try {
    // Each replica gets a core of its own (from the last core down); the harness, whose bids are
    // signed before the burst, and anvil, Postgres and NATS share what is left.
    const n = cpus().length;
    const replicaPids = m.stack.coordinatorProcesses.map((p) => (p as NonNullable<typeof p>).pid);
    const pinned = n > replicas && replicaPids.every((pid, i) => pin(pid, String(n - 1 - i)));
    const cores = pinned
      ? `replica i on core ${n - 1}-i (${replicas} of ${n} cores); the harness, anvil, Postgres and NATS unpinned`
      : 'not pinned (taskset missing, or no core to spare)';
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
    let lastReply = 0;
    // Every bidder hears every announcement; once all jobs are announced, all bids go at once.
    const announced = new Set<string>();
    let fire: () => void = () => undefined;
    const allAnnounced = new Promise<void>((resolve) => {
      fire = resolve;
    });
    for (const [i, b] of bidders.entries()) {
      await proveAwards(b, queue, closes, latencies);
      b.link.announcements((a) => {
        closes.set(`${a.jobId}:${a.attempt}`, a.closesAt);
        if (i === 0 && a.attempt === 0 && a.round === 0 && jobIds.includes(a.jobId)) announced.add(a.jobId);
        if (announced.size === jobIds.length) fire();
      });
    }
    const burst = allAnnounced.then(() => {
      const cpuBefore = cpuByProcess();
      const firstSent = Date.now();
      for (const b of bidders)
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
        cpu: cpuProfile(cpuBefore, cpuByProcess(), replicaPids),
      }));
    });
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
    const bursted = await burst;
    await waitForTerminal(m, jobIds, 60 * 60_000);
    const elapsedMs = Date.now() - started;
    const answered = (await Promise.all(replies)).filter((r) => r !== undefined);
    const accepted = answered.filter((r) => r.accepted).length;
    const refused: Record<string, number> = {};
    for (const r of answered) if (!r.accepted) refused[r.code ?? '?'] = (refused[r.code ?? '?'] ?? 0) + 1;
    const burstMs = bursted.ms;
    const audit = await auditJobs(m, jobIds, 0);
    figure = {
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
      burst_cpu_seconds: bursted.cpu,
      awards_measured: latencies.length,
      auction_window_ms: window,
      cores,
    };
  } finally {
    for (const b of bidders) await b.link.nc.close().catch(() => undefined);
    await backend.destroy();
    await m.stop();
  }
  const file = readdirSync(profileDir).find((f) => f.includes(`.${replicaPid}.`));
  const replica_profile = file
    ? profileBuckets(JSON.parse(readFileSync(join(profileDir, file), 'utf8')))
    : [];
  rmSync(profileDir, { recursive: true, force: true });
  return { ...figure, replica_profile };
}
