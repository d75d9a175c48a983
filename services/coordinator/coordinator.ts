// The coordinator service: wires the database, NATS, chain and verifier to its stages and runs
// their loops; start() and stop() bracket everything it opens.
import { jetstream } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { Wallet } from 'ethers';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { readDeployment } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { createPrisma } from '../shared/db/client.js';
import { errorMessage } from '../shared/errors.js';
import { connectNats, ensureWorkStream, presenceBucket } from '../shared/nats/connection.js';
import { bidDomain } from '../shared/protocol/bid-signing.js';
import { type BidReply, encode, parseBidRequest } from '../shared/protocol/messages.js';
import {
  BID_SUBJECT,
  HEARTBEAT_WILDCARD,
  HELLO_SUBJECT,
  RESULTS_CONSUMER,
  WORK_STREAM,
} from '../shared/protocol/subjects.js';
import { BbBackend } from '../shared/proving/bb-backend.js';
import { loadCircuit } from '../shared/proving/circuit-artifact.js';
import { solveWitness } from '../shared/proving/witness.js';
import { buildApp } from './app.js';
import { AWARDED } from './assignment/award.js';
import { onHeartbeat, sweepLeases } from './assignment/leases.js';
import { announceDue, closeDue } from './auction/auction-rounds.js';
import { judgeBid } from './auction/judge-bid.js';
import type { CoordinatorConfig } from './config.js';
import type { CoordinatorContext } from './context.js';
import { Metrics } from './metrics.js';
import { onHello } from './presence/hello.js';
import { runOutbox } from './settlement/outbox.js';
import { StageLoop } from './stage-loop.js';
import { onResult } from './verification/verify-result.js';

/** How often the timed stages run when nothing kicks them sooner. */
const TICK_MS = 100;
/** Leases last seconds: checking them twice a second is plenty. */
const LEASE_TICK_MS = 500;

export class Coordinator {
  readonly ctx: CoordinatorContext;
  private readonly app: FastifyInstance;
  private readonly subs: Subscription[] = [];
  private stopping = false;
  private readonly startedAt = Date.now();
  /** True once the results sent while this coordinator was down have been handled. */
  private caughtUp = false;
  // Each stage runs in its own loop, so none waits behind another: an auction closes the moment
  // its window ends even while rounds are announced, leases swept or the chain is slow.
  private readonly announce: StageLoop;
  private readonly close: StageLoop;
  private readonly leases: StageLoop;
  private readonly outbox: StageLoop;
  private resultsLoop: Promise<void> | undefined;
  private resultsStop: (() => void) | undefined;
  private url = '';

  private constructor(ctx: CoordinatorContext) {
    this.ctx = ctx;
    this.app = buildApp(ctx);
    this.announce = this.loop('announce', announceDue, TICK_MS);
    this.close = this.loop('close', closeDue, TICK_MS);
    this.leases = this.loop('leases', () => this.sweepLeasesOnceCaughtUp(), LEASE_TICK_MS);
    this.outbox = this.loop('outbox', runOutbox, TICK_MS);
    ctx.kick.announce = () => this.announce.kick();
    ctx.kick.close = (atMs) => this.close.kickAt(atMs);
    ctx.kick.outbox = () => this.outbox.kick();
  }

  /** Connects everything and starts serving (HTTP, NATS handlers, loops). */
  static async start(config: CoordinatorConfig, log: Logger): Promise<Coordinator> {
    const deployment = readDeployment(config.deploymentFile);
    const provider = rpcProvider(config.rpcUrl);
    const signer = new Wallet(config.coordinatorKey, provider);
    const chain = new GavelContracts(deployment, signer);
    const metrics = new Metrics();
    const nc = await connectNats({
      url: config.natsUrl,
      name: 'gavel-coordinator',
      onReconnect: () => {
        metrics.natsReconnects.inc();
        log.warn('reconnected to NATS');
      },
    });
    await ensureWorkStream(nc);
    const presence = await presenceBucket(nc, 15_000);
    const prisma = createPrisma(config.databaseUrl, config.dbPoolSize);
    const verifier = await BbBackend.create({ kind: 'wasm', threads: 1 });
    // Pay the witness solver's one-time WASM compilation now, not on the first job's intake.
    await solveWitness(loadCircuit('tiny_square'), { x: '3', y: '9' });
    let coordinator: Coordinator | undefined;
    const ctx: CoordinatorContext = {
      config,
      prisma,
      nc,
      js: jetstream(nc),
      chain,
      domain: bidDomain(deployment.chainId, deployment.market),
      verifier,
      log,
      metrics,
      publicUrl: () => config.publicUrl || coordinator?.url || '',
      liveProvers: async () => {
        const live = new Set<string>();
        for await (const key of await presence.keys()) live.add(key.toLowerCase());
        return live;
      },
      // Set by the constructor once the loops exist.
      kick: { announce: () => undefined, close: () => undefined, outbox: () => undefined },
    };
    metrics.watchState({
      jobsByState: async () => {
        const rows = await prisma.job.groupBy({ by: ['status'], _count: { _all: true } });
        return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
      },
      outboxBacklog: () => prisma.outboxAction.count({ where: { status: 'PENDING' } }),
      liveProvers: async () => (await ctx.liveProvers()).size,
    });
    coordinator = new Coordinator(ctx);
    await coordinator.listen();
    coordinator.serveNats();
    coordinator.startResults();
    for (const loop of coordinator.loops()) loop.start();
    log.info({ url: coordinator.url, market: deployment.market }, 'coordinator started');
    return coordinator;
  }

  get httpUrl(): string {
    return this.url;
  }

  private async listen(): Promise<void> {
    const address = await this.app.listen({ host: this.ctx.config.host, port: this.ctx.config.port });
    this.url = address.replace('[::1]', '127.0.0.1');
  }

  private serveNats(): void {
    const { nc, log } = this.ctx;
    const bids = nc.subscribe(BID_SUBJECT, {
      callback: (err, msg) => {
        if (err) return;
        void (async () => {
          let reply: BidReply;
          try {
            reply = await judgeBid(this.ctx, parseBidRequest(msg.data));
          } catch (e) {
            reply = { accepted: false, code: 'BAD_MESSAGE', reason: errorMessage(e) };
          }
          this.ctx.metrics.bids.inc({ result: reply.accepted ? 'accepted' : (reply.code ?? 'rejected') });
          if (msg.reply) msg.respond(encode(reply));
        })().catch((e) => log.error({ err: errorMessage(e) }, 'bid handler failed'));
      },
    });
    const hellos = nc.subscribe(HELLO_SUBJECT, {
      callback: (err, msg) => {
        if (!err)
          void onHello(this.ctx, msg).catch((e) => log.error({ err: errorMessage(e) }, 'hello failed'));
      },
    });
    const heartbeats = nc.subscribe(HEARTBEAT_WILDCARD, {
      callback: (err, msg) => {
        if (!err)
          void onHeartbeat(this.ctx, msg.data).catch((e) =>
            log.error({ err: errorMessage(e) }, 'heartbeat failed'),
          );
      },
    });
    this.subs.push(bids, hellos, heartbeats);
  }

  private startResults(): void {
    const { js, log } = this.ctx;
    this.resultsLoop = (async () => {
      while (!this.stopping) {
        try {
          const consumer = await js.consumers.get(WORK_STREAM, RESULTS_CONSUMER);
          const messages = await consumer.consume({ max_messages: 8 });
          this.resultsStop = () => void messages.close();
          for await (const m of messages) {
            try {
              const outcome = await onResult(this.ctx, m);
              log.debug({ subject: m.subject, outcome }, 'result handled');
            } catch (e) {
              log.error({ err: errorMessage(e) }, 'result handling failed; redelivering');
              m.nak(1000);
            }
          }
        } catch (e) {
          if (!this.stopping) log.warn({ err: errorMessage(e) }, 'results consumer interrupted; retrying');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  /**
   * Heartbeats sent while this coordinator was down went unheard, and results sent meanwhile wait
   * in the stream: no lease is judged until that backlog is verified (or, against a flood that
   * never drains, until a bound has passed). Then every lease gets a fresh term from that moment.
   */
  private async sweepLeasesOnceCaughtUp(): Promise<number> {
    if (!this.caughtUp) {
      const info = await (await this.ctx.js.consumers.get(WORK_STREAM, RESULTS_CONSUMER)).info();
      const drained = info.num_pending === 0 && info.num_ack_pending === 0;
      const bound = this.startedAt + Math.max(30_000, 3 * this.ctx.config.leaseMs);
      if (!drained && Date.now() < bound) return 0;
      await this.ctx.prisma.assignment.updateMany({
        where: { status: { in: AWARDED } },
        data: { leaseUntil: new Date(Date.now() + this.ctx.config.leaseMs) },
      });
      this.caughtUp = true;
      this.ctx.log.info({ drained }, 'results backlog handled: leases are judged from now');
    }
    return sweepLeases(this.ctx);
  }

  /** A loop running one stage; a failing run is logged and the next one still comes. */
  private loop(name: string, stage: (ctx: CoordinatorContext) => Promise<unknown>, intervalMs: number) {
    return new StageLoop(async () => {
      if (this.stopping) return;
      try {
        await stage(this.ctx);
      } catch (e) {
        this.ctx.log.error({ stage: name, err: errorMessage(e) }, 'stage failed');
      }
    }, intervalMs);
  }

  private loops(): StageLoop[] {
    return [this.announce, this.close, this.leases, this.outbox];
  }

  /** Stops loops, HTTP and NATS, and frees the verifier and database pool. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(this.loops().map((l) => l.stop()));
    this.resultsStop?.();
    await this.app.close();
    for (const s of this.subs) s.unsubscribe();
    await this.ctx.nc.drain().catch(() => undefined);
    await this.resultsLoop;
    await this.ctx.verifier.destroy();
    await this.ctx.prisma.$disconnect();
    (this.ctx.chain.market.runner?.provider as { destroy?: () => void } | undefined)?.destroy?.();
    this.ctx.log.info('coordinator stopped');
  }
}
