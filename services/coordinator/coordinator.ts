// The coordinator service: opens the database, NATS, chain and verifier, builds the context, mounts
// every stage's loops and handlers (stages.ts) and the HTTP API, and stops them in reverse order.
import { jetstream } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { COORDINATOR_QUEUE } from '../shared/protocol/subjects.js';
import { buildApp } from './app.js';
import type { CoordinatorConfig } from './config.js';
import type { CoordinatorContext } from './context.js';
import { openResources } from './resources.js';
import { StageLoop } from './stage-loop.js';
import { messageStages, startConsumers, timedStages } from './stages.js';
import type { ResultConsumer } from './verification/result-consumer.js';

/** Messages of one subject waiting for a handler, at most, per replica. */
const MAX_QUEUED = 2000;

export class Coordinator {
  private readonly app: FastifyInstance;
  private readonly loops = new Map<string, StageLoop>();
  private readonly subs: Subscription[] = [];
  private consumers: ResultConsumer[] = [];
  private stopping = false;
  private url = '';

  private constructor(readonly ctx: CoordinatorContext) {
    this.app = buildApp(ctx);
    for (const t of timedStages()) {
      const loop = new StageLoop(async () => {
        if (this.stopping) return;
        await t.run(ctx).catch((e) => {
          ctx.metrics.stageFailures.inc({ loop: t.loop });
          ctx.log.error({ stage: t.loop, err: e }, 'stage failed');
        });
      }, t.intervalMs);
      this.loops.set(t.loop, loop);
    }
    ctx.kick.announce = () => this.loops.get('announce')?.kick();
    ctx.kick.close = (atMs) => this.loops.get('close')?.kickAt(atMs);
    ctx.kick.outbox = () => this.loops.get('outbox')?.kick();
  }

  /** Connects everything and starts serving (HTTP, NATS handlers, consumers, loops). */
  static async start(config: CoordinatorConfig, log: Logger): Promise<Coordinator> {
    let coordinator: Coordinator | undefined;
    const r = await openResources(config, log);
    const ctx: CoordinatorContext = {
      ...r,
      config,
      js: jetstream(r.nc),
      log,
      publicUrl: () => config.publicUrl || coordinator?.url || '',
      // Set by the constructor once the loops exist.
      kick: { announce: () => undefined, close: () => undefined, outbox: () => undefined },
    };
    coordinator = new Coordinator(ctx);
    const address = await coordinator.app.listen({ host: config.host, port: config.port });
    coordinator.url = address.replace('[::1]', '127.0.0.1');
    await coordinator.announceReplica();
    coordinator.mount();
    log.info({ url: coordinator.url, market: r.chain.market.target }, 'coordinator started');
    return coordinator;
  }

  /** Writes this replica's entry in the replica bucket (and keeps it fresh until stop). */
  private async announceReplica(): Promise<void> {
    const { ctx } = this;
    const address = (await ctx.signer.getAddress()).toLowerCase();
    const self = { address, url: ctx.publicUrl(), startedAt: new Date().toISOString() };
    await ctx.replicas.start(self);
    ctx.metrics.replicaInfo.set({ address, url: self.url }, 1);
  }

  get httpUrl(): string {
    return this.url;
  }

  private mount(): void {
    const { ctx } = this;
    // Messages are handled at most half the database pool at a time per subject: a flood of bids
    // waits its turn in memory instead of taking every connection from the auction's own loops.
    const concurrency = Math.max(2, Math.floor(ctx.config.dbPoolSize / 2));
    for (const m of messageStages) {
      const limit = pLimit(concurrency);
      const sub = ctx.nc.subscribe(m.subject, {
        queue: COORDINATOR_QUEUE,
        callback: (err, msg) => {
          if (err || this.stopping) return;
          // The queue is bounded: past it a message is dropped (a request times out), not held.
          if (limit.pendingCount >= MAX_QUEUED) {
            ctx.metrics.messagesRejected.inc({ kind: 'overload' });
            return;
          }
          void limit(() => m.handle(ctx, msg)).catch((e) =>
            ctx.log.error({ subject: m.subject, err: e }, 'handler failed'),
          );
        },
      });
      this.subs.push(sub);
    }
    this.consumers = startConsumers(ctx);
    for (const loop of this.loops.values()) loop.start();
  }

  /** Stops loops, consumers, HTTP and NATS, and frees the verifier, database pool and RPC client. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(
      [...this.loops.entries()].map(async ([name, l]) => {
        if (!(await l.stop())) this.ctx.log.warn({ loop: name }, 'loop still running at stop: left behind');
      }),
    );
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.app.close();
    for (const s of this.subs) s.unsubscribe();
    await this.ctx.replicas.stop();
    this.ctx.clock.chain.stop();
    await this.ctx.nc.drain().catch(() => undefined);
    await this.ctx.verifiers.destroy();
    await this.ctx.intake.destroy();
    await this.ctx.prisma.$disconnect();
    (this.ctx.chain.market.runner?.provider as { destroy?: () => void } | undefined)?.destroy?.();
    this.ctx.log.info('coordinator stopped');
  }
}
