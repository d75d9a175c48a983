// Scale: many simulated bidders — real NATS clients, each with its own key, registered and staked
// on-chain, signing real EIP-712 bids — against the coordinator process; winners prove tiny_square
// for real. Measures jobs per minute, announce→award latency at the bidder, coordinator memory.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseEther, type Wallet } from 'ethers';
import { seededRandom } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { ensureWorkStream } from '../../services/shared/nats/connection.js';
import { bidDomain, signBid } from '../../services/shared/protocol/bid-signing.js';
import { encode, parseAnnouncement, parseAward } from '../../services/shared/protocol/messages.js';
import { signMessage } from '../../services/shared/protocol/signed-message.js';
import {
  ANNOUNCE_SUBJECT,
  awardConsumer,
  awardSubject,
  BID_SUBJECT,
  HELLO_SUBJECT,
  heartbeatSubject,
  resultSubject,
  WORK_STREAM,
} from '../../services/shared/protocol/subjects.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import {
  type PreparedCircuit,
  prepareCircuit,
  proveInputs,
} from '../../services/shared/proving/circuit-prover.js';
import { type ProcessMarket, startProcessMarket, waitForTerminal } from '../fixtures/process-market.js';

const WINDOW_MS = 1000;
const FIRST_BIDDER = 10;

/** One proof at a time on one shared backend (the bidders are simulated; their proofs are not). */
class ProofQueue {
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

async function startBidder(
  m: ProcessMarket,
  wallet: Wallet,
  queue: ProofQueue,
  participation: number,
  seed: number,
  awardLatencies: number[],
): Promise<NatsConnection> {
  const nc = await connect({ servers: m.nats.url, name: `sim-${wallet.address}` });
  const address = wallet.address.toLowerCase();
  const hello = await signMessage(wallet, {
    prover: address,
    name: `sim-${seed}`,
    backend: 'wasm',
    threads: 1,
    maxDyadic: 4096,
    gatesPerSec: 1_000_000,
    at: Date.now(),
  });
  await nc.request(HELLO_SUBJECT, encode(hello), { timeout: 30_000 });
  const rnd = seededRandom(seed);
  const domain = bidDomain(m.chain.deployment.chainId, m.chain.deployment.market);
  const announced = new Map<string, number>();
  let nonce = BigInt(seed) * 1_000_000n;
  nc.subscribe(ANNOUNCE_SUBJECT, {
    callback: (_e, msg) => {
      const a = parseAnnouncement(msg.data);
      announced.set(`${a.jobId}:${a.attempt}`, Date.now());
      if (rnd() > participation) return;
      nonce += 1n;
      const price = parseEther('0.001') + BigInt(Math.floor(rnd() * 1e6)) * 10n ** 9n;
      const terms = {
        jobId: a.jobId,
        attempt: a.attempt,
        price,
        prover: wallet.address,
        expiry: Math.ceil(a.closesAt / 1000) + 60,
        nonce,
      };
      void signBid(wallet, domain, terms)
        .then((signature) =>
          nc.request(
            BID_SUBJECT,
            encode({ bid: { ...terms, price: price.toString(), nonce: nonce.toString() }, signature }),
            {
              timeout: 30_000,
            },
          ),
        )
        .catch(() => undefined);
    },
  });
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(WORK_STREAM, {
    durable_name: awardConsumer(address),
    filter_subject: awardSubject(address),
    ack_policy: AckPolicy.Explicit,
  });
  const js = jetstream(nc);
  const messages = await (await js.consumers.get(WORK_STREAM, awardConsumer(address))).consume({
    max_messages: 1,
  });
  void (async () => {
    for await (const msg of messages) {
      const award = parseAward(msg.data);
      const seen = announced.get(`${award.jobId}:${award.attempt}`);
      if (seen) awardLatencies.push(Date.now() - seen);
      const items = (await (await fetch(`${award.coordinatorUrl}/v1/jobs/${award.jobId}/inputs`)).json()) as {
        items: Record<string, unknown>[];
      };
      const beat = async (done: number) =>
        nc.publish(
          heartbeatSubject(award.jobId),
          encode(
            await signMessage(wallet, {
              jobId: award.jobId,
              attempt: award.attempt,
              prover: address,
              done,
              total: items.items.length,
              at: Date.now(),
            }),
          ),
        );
      await beat(0);
      for (const [index, inputs] of items.items.entries()) {
        const proof = await queue.prove(inputs);
        const result = await signMessage(wallet, {
          jobId: award.jobId,
          attempt: award.attempt,
          prover: address,
          itemIndex: index,
          proof: Buffer.from(proof.proof).toString('base64'),
          publicInputs: proof.publicInputs,
        });
        await js.publish(resultSubject(award.jobId), encode(result));
        await beat(index + 1);
      }
      msg.ack();
    }
  })().catch(() => undefined);
  return nc;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

/** Announce→award as the coordinator saw it: from a round's opening to its assignment's creation. */
async function coordinatorAwardLatencies(m: ProcessMarket, jobIds: string[]): Promise<number[]> {
  const rows = await m.prisma.$queryRaw<{ ms: number }[]>`
    SELECT EXTRACT(EPOCH FROM (s."createdAt" - a."opensAt")) * 1000 AS ms
    FROM "Auction" a JOIN "Assignment" s ON s."jobId" = a."jobId" AND s.attempt = a.attempt
    WHERE a.status = 'AWARDED' AND a."jobId" = ANY(${jobIds})`;
  return rows.map((r) => Math.round(Number(r.ms)));
}

export async function scale(bidders: number, jobs: number, participation: number, log: (s: string) => void) {
  const m = await startProcessMarket(
    { GAVEL_AUCTION_WINDOW_MS: String(WINDOW_MS), GAVEL_LEASE_MS: '60000', GAVEL_DB_POOL_SIZE: '20' },
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
          await c.registerProver(`sim-${i + j}`, '');
          await c.stake(parseEther('2'));
        }),
      );
    }
    const latencies: number[] = [];
    // The bidders share this process: its own event-loop delay adds to what they measure.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const nc0 = await connect({ servers: m.nats.url });
    await ensureWorkStream(nc0);
    await nc0.close();
    for (const [i, w] of wallets.entries())
      connections.push(await startBidder(m, w, queue, participation, 1000 + i, latencies));
    const circuitId = (await m.client.registerCircuit(tiny)).id;
    log(`scale: submitting ${jobs} jobs`);
    const started = Date.now();
    const ids: string[] = [];
    for (let j = 0; j < jobs; j++) {
      const x = BigInt(j + 2);
      ids.push(
        await m.submit({
          circuitId,
          items: [{ x: x.toString(), y: (x * x).toString() }],
          collateralEth: '0.1',
          deadlineIn: 3600,
        }),
      );
    }
    const submittedMs = Date.now() - started;
    await waitForTerminal(m, ids, 60 * 60_000);
    const elapsedMs = Date.now() - started;
    lag.disable();
    const atCoordinator = await coordinatorAwardLatencies(m, ids);
    const settled = await m.prisma.job.count({ where: { id: { in: ids }, status: 'SETTLED' } });
    const bids = await m.prisma.bid.count();
    const rssKb = Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${m.coordinator.pid}/status`, 'utf8'))?.[1],
    );
    return {
      bidders,
      participation,
      jobs,
      settled,
      bidsAccepted: bids,
      auctionWindowMs: WINDOW_MS,
      submitMs: submittedMs,
      elapsedMs,
      jobs_per_min: Math.round((settled / (elapsedMs / 60_000)) * 10) / 10,
      p50_award_ms: percentile(latencies, 50),
      p99_award_ms: percentile(latencies, 99),
      awards_measured: latencies.length,
      coordinator_p50_award_ms: percentile(atCoordinator, 50),
      coordinator_p99_award_ms: percentile(atCoordinator, 99),
      bidder_process_lag_p99_ms: Math.round(lag.percentile(99) / 1e6),
      bidder_process_lag_max_ms: Math.round(lag.max / 1e6),
      coordinator_rss_mb: Math.round(rssKb / 1024),
    };
  } finally {
    for (const nc of connections) await nc.close().catch(() => undefined);
    await backend.destroy();
    await m.stop();
  }
}
