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
import { buildApp } from './app.js';
import { onHeartbeat, sweepLeases } from './assignment/leases.js';
import { announceDue, closeDue } from './auction/auction-rounds.js';
import { judgeBid } from './auction/judge-bid.js';
import type { CoordinatorConfig } from './config.js';
import type { CoordinatorContext } from './context.js';
import { Metrics } from './metrics.js';
import { onHello } from './presence/hello.js';
import { runOutbox } from './settlement/outbox.js';
import { onResult } from './verification/verify-result.js';

const TICK_MS = 100;

export class Coordinator {
  readonly ctx: CoordinatorContext;
  private readonly app: FastifyInstance;
  private readonly subs: Subscription[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;
  private resultsLoop: Promise<void> | undefined;
  private resultsStop: (() => void) | undefined;
  private url = '';

  private constructor(ctx: CoordinatorContext) {
    this.ctx = ctx;
    this.app = buildApp(ctx);
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
    };
    metrics.watchState({
      jobsByState: async () => {
        const rows = await prisma.job.groupBy({ by: ['status'], _count: { _all: true } });
        return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
      },
      outboxBacklog: () => prisma.outboxAction.count({ where: { status: 'PENDING' } }),
      liveProvers: async () => (await ctx.liveProvers()).size,
    });
    // Heartbeats sent while this coordinator was down went unheard: no prover loses its lease
    // (and its collateral) for that — every active lease gets a fresh term.
    await prisma.assignment.updateMany({
      where: { status: 'ACTIVE' },
      data: { leaseUntil: new Date(Date.now() + config.leaseMs) },
    });
    coordinator = new Coordinator(ctx);
    await coordinator.listen();
    coordinator.serveNats();
    coordinator.startResults();
    coordinator.ticker = setInterval(() => coordinator?.tick(), TICK_MS);
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

  /** One pass of the timed stages; never two at once. */
  private tick(): void {
    if (this.ticking || this.stopping) return;
    this.ticking = (async () => {
      for (const [name, stage] of [
        ['announce', announceDue],
        ['close', closeDue],
        ['outbox', runOutbox],
        ['leases', sweepLeases],
      ] as const) {
        try {
          await stage(this.ctx);
        } catch (e) {
          this.ctx.log.error({ stage: name, err: errorMessage(e) }, 'stage failed');
        }
      }
    })().finally(() => {
      this.ticking = undefined;
    });
  }

  /** Stops loops, HTTP and NATS, and frees the verifier and database pool. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.ticker);
    await this.ticking;
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
