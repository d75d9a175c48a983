// The prover agent: says hello, keeps its presence alive, bids on announcements its policy and
// speed allow, proves awarded jobs with heartbeats, and publishes signed results. Awards are read
// from a durable JetStream consumer and acknowledged only after the results are published, so a
// restarted agent picks its award back up.
import { AckPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { type TypedDataDomain, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { readDeployment } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { errorMessage, GavelError } from '../shared/errors.js';
import { connectNats, ensureWorkStream, presenceBucket } from '../shared/nats/connection.js';
import { bidDomain, signBid } from '../shared/protocol/bid-signing.js';
import {
  type Announcement,
  type Award,
  type BidReply,
  encode,
  parseAnnouncement,
  parseAward,
} from '../shared/protocol/messages.js';
import { signMessage } from '../shared/protocol/signed-message.js';
import {
  ANNOUNCE_SUBJECT,
  awardConsumer,
  awardSubject,
  BID_SUBJECT,
  HELLO_SUBJECT,
  heartbeatSubject,
  resultSubject,
  WORK_STREAM,
} from '../shared/protocol/subjects.js';
import { BbBackend } from '../shared/proving/bb-backend.js';
import { type PreparedCircuit, prepareCircuit, proveInputs } from '../shared/proving/circuit-prover.js';
import { locateCrs } from '../shared/proving/crs.js';
import { decideBid } from './bidding/price-policy.js';
import { calibrate } from './calibrate.js';
import type { ProverConfig } from './config.js';
import { ProverMetrics } from './metrics.js';
import { fetchCircuit, fetchInputs } from './proving/fetch-work.js';

const PRESENCE_TTL_MS = 15_000;

export interface ProverStatus {
  address: string;
  backend: string;
  threads: number;
  gatesPerSec: number;
  maxDyadic: number;
  bidsSent: number;
  bidsAccepted: number;
  jobsProved: number;
  proving: { jobId: string; done: number; total: number } | undefined;
  metricsUrl: string;
}

export class ProverAgent {
  readonly address: string;
  private readonly wallet: Wallet;
  private readonly domain: TypedDataDomain;
  private readonly circuits = new Map<string, PreparedCircuit>();
  private readonly subs: Subscription[] = [];
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private awardsLoop: Promise<void> | undefined;
  private closeAwards: (() => void) | undefined;
  private current: JsMsg | undefined;
  private nonce = BigInt(Date.now()) * 1000n;
  readonly status: ProverStatus;
  readonly metrics: ProverMetrics;

  private constructor(
    readonly config: ProverConfig,
    private readonly log: Logger,
    private readonly nc: NatsConnection,
    private readonly backend: BbBackend,
    private readonly presence: KV,
    metrics: ProverMetrics,
    deployment: ReturnType<typeof readDeployment>,
    gatesPerSec: number,
    maxDyadic: number,
  ) {
    this.wallet = new Wallet(config.key, rpcProvider(config.rpcUrl));
    this.address = this.wallet.address.toLowerCase();
    this.domain = bidDomain(deployment.chainId, deployment.market);
    this.metrics = metrics;
    this.status = {
      address: this.address,
      backend: config.backend,
      threads: config.threads,
      gatesPerSec,
      maxDyadic,
      bidsSent: 0,
      bidsAccepted: 0,
      jobsProved: 0,
      proving: undefined,
      metricsUrl: '',
    };
  }

  static async start(config: ProverConfig, log: Logger): Promise<ProverAgent> {
    const deployment = readDeployment(config.deploymentFile);
    const wallet = new Wallet(config.key);
    const chain = new GavelContracts(deployment, rpcProvider(config.rpcUrl));
    const info = await chain.proverInfo(wallet.address);
    (chain.staking.runner as { destroy?: () => void } | null)?.destroy?.();
    if (!info.registered) {
      throw new GavelError(
        'NOT_REGISTERED',
        `${wallet.address} is not a registered prover: run gavel prover register`,
      );
    }
    const backend = await BbBackend.create({ kind: config.backend, threads: config.threads });
    const crs = locateCrs();
    const crsLimit = crs.downloadable ? 2 ** 25 : 2 ** Math.floor(Math.log2(Math.max(crs.points - 1, 1)));
    const maxDyadic = config.maxDyadic > 0 ? Math.min(config.maxDyadic, crsLimit) : crsLimit;
    // Calibration also warms the backend and leaves batch_transfer prepared for the first award.
    const warm: PreparedCircuit[] = [];
    const gatesPerSec =
      config.gatesPerSec > 0
        ? config.gatesPerSec
        : (await calibrate(backend, 1, (c) => warm.push(c))).gatesPerSec;
    const metrics = new ProverMetrics();
    metrics.speed.set(gatesPerSec);
    const nc = await connectNats({
      url: config.natsUrl,
      name: `gavel-prover-${wallet.address}`,
      onReconnect: () => {
        metrics.natsReconnects.inc();
        log.warn('reconnected to NATS');
      },
    });
    await ensureWorkStream(nc);
    const presence = await presenceBucket(nc, PRESENCE_TTL_MS);
    const agent = new ProverAgent(
      config,
      log,
      nc,
      backend,
      presence,
      metrics,
      deployment,
      gatesPerSec,
      maxDyadic,
    );
    agent.status.metricsUrl = await metrics.serve(config.metricsPort);
    for (const c of warm) agent.circuits.set(c.id, c);
    await agent.hello();
    await agent.refreshPresence();
    agent.timers.push(setInterval(() => void agent.refreshPresence(), PRESENCE_TTL_MS / 3));
    agent.subscribeAnnouncements();
    await agent.startAwards();
    log.info(
      {
        prover: agent.address,
        backend: config.backend,
        gatesPerSec,
        maxDyadic,
        metrics: agent.status.metricsUrl,
      },
      'prover started',
    );
    return agent;
  }

  private async hello(): Promise<void> {
    const body = {
      prover: this.address,
      name: this.config.name,
      backend: this.config.backend,
      threads: this.config.threads,
      maxDyadic: this.status.maxDyadic,
      gatesPerSec: this.status.gatesPerSec,
      at: Date.now(),
    };
    const msg = await signMessage(this.wallet, body);
    for (let i = 0; ; i++) {
      try {
        const reply = (await this.nc.request(HELLO_SUBJECT, encode(msg), { timeout: 2000 })).json<{
          ok: boolean;
          reason?: string;
        }>();
        if (!reply.ok) throw new GavelError('HELLO_REFUSED', `coordinator refused hello: ${reply.reason}`);
        return;
      } catch (err) {
        if (err instanceof GavelError || i >= 30 || this.stopping) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async refreshPresence(): Promise<void> {
    try {
      await this.presence.put(this.address, JSON.stringify({ ...this.status, at: Date.now() }));
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'presence update failed');
    }
  }

  private subscribeAnnouncements(): void {
    const sub = this.nc.subscribe(ANNOUNCE_SUBJECT, {
      callback: (err, msg) => {
        if (err || this.stopping) return;
        let a: Announcement;
        try {
          a = parseAnnouncement(msg.data);
        } catch {
          return;
        }
        void this.considerBid(a).catch((e) =>
          this.log.warn({ jobId: a.jobId, err: errorMessage(e) }, 'bid failed'),
        );
      },
    });
    this.subs.push(sub);
  }

  private async considerBid(a: Announcement): Promise<void> {
    const decision = decideBid(a, {
      minPriceWei: this.config.minPriceWei,
      pricePerGateWei: this.config.pricePerGateWei,
      maxDyadic: this.status.maxDyadic,
      gatesPerSec: this.status.gatesPerSec,
      marginMs: 2000,
    });
    if (!decision.bid) {
      this.metrics.skipped.inc();
      this.log.info({ jobId: a.jobId, reason: decision.reason }, 'not bidding');
      return;
    }
    this.nonce += 1n;
    const terms = {
      jobId: a.jobId,
      attempt: a.attempt,
      price: decision.price,
      prover: this.wallet.address,
      expiry: Math.ceil(a.closesAt / 1000) + 60,
      nonce: this.nonce,
    };
    const signature = await signBid(this.wallet, this.domain, terms);
    const request = {
      bid: { ...terms, price: terms.price.toString(), nonce: terms.nonce.toString() },
      signature,
    };
    this.status.bidsSent++;
    const reply = (await this.nc.request(BID_SUBJECT, encode(request), { timeout: 5000 })).json<BidReply>();
    if (reply.accepted) this.status.bidsAccepted++;
    this.metrics.bids.inc({ result: reply.accepted ? 'accepted' : (reply.code ?? 'rejected') });
    this.log.info({ jobId: a.jobId, price: terms.price.toString(), ...reply }, 'bid answered');
  }

  private async startAwards(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.add(WORK_STREAM, {
      durable_name: awardConsumer(this.address),
      filter_subject: awardSubject(this.address),
      ack_policy: AckPolicy.Explicit,
      ack_wait: 10 * 1_000_000_000,
      max_deliver: -1,
    });
    const consumer = await jetstream(this.nc).consumers.get(WORK_STREAM, awardConsumer(this.address));
    this.awardsLoop = (async () => {
      while (!this.stopping) {
        try {
          const messages = await consumer.consume({ max_messages: 1 });
          this.closeAwards = () => void messages.close();
          for await (const m of messages) {
            if (this.stopping) {
              m.nak();
              break;
            }
            await this.handleAward(m);
          }
        } catch (err) {
          if (!this.stopping)
            this.log.warn({ err: errorMessage(err) }, 'award consumer interrupted; retrying');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  private async handleAward(m: JsMsg): Promise<void> {
    let award: Award;
    try {
      award = parseAward(m.data);
    } catch {
      m.term();
      return;
    }
    if (award.prover.toLowerCase() !== this.address) {
      m.term();
      return;
    }
    this.current = m;
    const log = this.log.child({ jobId: award.jobId, attempt: award.attempt });
    try {
      if (award.deadline * 1000 < Date.now()) {
        log.warn('award past its deadline: dropping');
        this.metrics.jobs.inc({ outcome: 'dropped' });
        m.ack();
        return;
      }
      this.metrics.busy.set(1);
      await this.prove(award, m, log);
      m.ack();
      this.status.jobsProved++;
      this.metrics.jobs.inc({ outcome: 'proved' });
    } catch (err) {
      if (this.stopping) {
        m.nak();
        return;
      }
      this.metrics.jobs.inc({ outcome: 'failed' });
      log.error(
        { err: errorMessage(err) },
        'proving failed; the lease will lapse and the job be re-auctioned',
      );
      m.term();
    } finally {
      this.current = undefined;
      this.status.proving = undefined;
      this.metrics.busy.set(0);
    }
  }

  private async prove(award: Award, m: JsMsg, log: Logger): Promise<void> {
    const circuit = await this.circuit(award.coordinatorUrl, award.circuitId);
    const items = await fetchInputs(award.coordinatorUrl, award.jobId, award.inputsHash);
    const progress = { jobId: award.jobId, done: 0, total: items.length };
    this.status.proving = progress;
    const beat = async () => {
      m.working();
      const hb = await signMessage(this.wallet, {
        jobId: award.jobId,
        attempt: award.attempt,
        prover: this.address,
        done: progress.done,
        total: progress.total,
        at: Date.now(),
      });
      this.nc.publish(heartbeatSubject(award.jobId), encode(hb));
    };
    await beat();
    const timer = setInterval(() => void beat().catch(() => undefined), this.config.heartbeatMs);
    try {
      const js = jetstream(this.nc);
      for (const [index, inputs] of items.entries()) {
        if (this.stopping) throw new GavelError('STOPPING', 'agent stopping');
        const started = performance.now();
        const proof = await proveInputs(this.backend, circuit, inputs);
        const result = await signMessage(this.wallet, {
          jobId: award.jobId,
          attempt: award.attempt,
          prover: this.address,
          itemIndex: index,
          proof: Buffer.from(proof.proof).toString('base64'),
          publicInputs: proof.publicInputs,
        });
        // A NATS outage must not cost a finished proof: retry (the msgID makes a re-send a no-op)
        // until the award's deadline.
        for (let tries = 1; ; tries++) {
          try {
            await js.publish(resultSubject(award.jobId), encode(result), {
              msgID: `result:${award.jobId}:${award.attempt}:${index}`,
            });
            break;
          } catch (err) {
            if (this.stopping || Date.now() > award.deadline * 1000) throw err;
            log.warn(
              { item: index, tries, err: errorMessage(err) },
              'publishing the result failed; retrying',
            );
            await new Promise((r) => setTimeout(r, Math.min(250 * tries, 2000)));
          }
        }
        progress.done = index + 1;
        this.metrics.provingSeconds.observe({ circuit: circuit.name }, (performance.now() - started) / 1000);
        await beat();
        log.info({ item: index, ms: Math.round(performance.now() - started) }, 'batch item proved');
      }
    } finally {
      clearInterval(timer);
    }
  }

  private async circuit(coordinatorUrl: string, circuitId: string): Promise<PreparedCircuit> {
    const cached = this.circuits.get(circuitId);
    if (cached) return cached;
    const prepared = await prepareCircuit(this.backend, await fetchCircuit(coordinatorUrl, circuitId));
    this.circuits.set(circuitId, prepared);
    return prepared;
  }

  /** Stops bidding, hands back an award in progress (nak: redelivered at once), closes everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    for (const s of this.subs) s.unsubscribe();
    this.current?.nak();
    this.closeAwards?.();
    await this.awardsLoop;
    await this.presence.delete(this.address).catch(() => undefined);
    await this.metrics.close();
    await this.nc.drain().catch(() => undefined);
    await this.backend.destroy();
    (this.wallet.provider as { destroy?: () => void } | null)?.destroy?.();
    this.log.info('prover stopped');
  }
}
