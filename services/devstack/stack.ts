// The one local marketplace: anvil with the contracts, NATS, a database, the coordinator (in this
// process or its own) and prover agents (processes, or in this process for quick tests). `gavel dev
// up`, the demo, the tests and the benchmarks all assemble it here; stop() undoes everything
// start() did, in reverse.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { type CoordinatorConfig, coordinatorSettings } from '../coordinator/config.js';
import { Coordinator } from '../coordinator/coordinator.js';
import { devKey } from '../infra/anvil.js';
import { ProverAgent } from '../prover/agent.js';
import { type ProverConfig, proverSettings } from '../prover/config.js';
import { writeDeployment } from '../shared/chain/deployment.js';
import { loadConfig } from '../shared/config.js';
import { applyMigrations } from '../shared/db/migrate.js';
import { createLogger } from '../shared/log.js';
import { type WatchtowerConfig, watchtowerSettings } from '../watchtower/config.js';
import { type Chain, startChain } from './local-chain.js';
import { ServiceProcess } from './service-process.js';
import { MarketNats, portFor, resolveDatabase, type StackDatabase } from './stack-parts.js';

export type Settings<C> = Partial<Record<keyof C, string>>;

export interface StackOptions {
  chain?: { port?: number; accounts?: number; cooldownSeconds?: number };
  /** A Postgres server on which the stack's own database is (re)created; else an embedded one. */
  databaseServer?: string;
  /** The stack's database name, and whether stop() drops it. */
  database?: { name: string; drop: boolean };
  /** Where the contract addresses are written (default: the stack's temporary folder). */
  deploymentFile?: string;
  coordinator: {
    /** In this process (`Coordinator`) or as its own `gavel coordinator` process. */
    inProcess: boolean;
    /** HTTP port (0: any free port). */
    port?: number;
    settings?: Settings<CoordinatorConfig>;
    log?: Logger;
  };
  logLevel: string;
}

let counter = 0;

export class LocalStack {
  /** The in-process coordinator, when the stack runs it in this process. */
  coordinator: Coordinator | undefined;
  /** The coordinator's process, when it runs in its own. */
  coordinatorProcess: ServiceProcess | undefined;
  readonly agents: ProverAgent[] = [];
  readonly proverProcesses = new Map<number, ServiceProcess>();
  readonly watchtowerProcesses = new Map<number, ServiceProcess>();
  private readonly undo: (() => Promise<void>)[] = [];

  private constructor(
    readonly opts: StackOptions,
    readonly dir: string,
    readonly chain: Chain,
    readonly nats: MarketNats,
    readonly database: StackDatabase,
    readonly deploymentFile: string,
    readonly coordinatorUrl: string,
  ) {}

  static async start(opts: StackOptions, onStep: (step: string) => void = () => {}): Promise<LocalStack> {
    const dir = mkdtempSync(join(tmpdir(), 'gavel-stack-'));
    const undo: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
    const cleanup = async () => {
      for (const u of undo.reverse()) await u().catch(() => undefined);
    };
    try {
      onStep('starting anvil and deploying the contracts');
      const port = opts.chain?.port ? await portFor(opts.chain.port, 'anvil (--rpc-port)') : undefined;
      const chain = await startChain({ ...opts.chain, ...(port ? { port } : {}) });
      undo.push(() => chain.stop());
      const deploymentFile = resolve(opts.deploymentFile ?? join(dir, 'deployment.json'));
      writeDeployment(chain.deployment, deploymentFile);
      onStep('starting nats-server (authentication on)');
      const nats = await MarketNats.start(dir);
      undo.push(() => nats.stop());
      const name = opts.database?.name ?? `gavel_s${process.pid}_${counter++}`;
      const database = await resolveDatabase(
        opts.databaseServer,
        { name, drop: opts.database?.drop ?? true },
        onStep,
      );
      undo.push(() => database.stop());
      onStep('migrating the database');
      await applyMigrations(database.url);
      const httpPort = await portFor(opts.coordinator.port ?? 0, 'the coordinator (--port)');
      const url = `http://127.0.0.1:${httpPort}`;
      const stack = new LocalStack(opts, dir, chain, nats, database, deploymentFile, url);
      stack.undo.push(...undo);
      onStep('starting the coordinator');
      await stack.startCoordinator();
      return stack;
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  /** The coordinator's settings: this stack's endpoints, account 0's key, then the options'. */
  private coordinatorConfig(): Settings<CoordinatorConfig> {
    return {
      databaseUrl: this.database.url,
      dbPoolSize: this.database.kind === 'embedded' ? '1' : '10',
      natsUrl: this.nats.url,
      natsCreds: this.nats.coordinatorCredsFile,
      natsAccountSeed: this.nats.authority.accountSeed,
      rpcUrl: this.chain.anvil.url,
      deploymentFile: this.deploymentFile,
      coordinatorKey: this.chain.wallets[0]?.privateKey,
      port: new URL(this.coordinatorUrl).port,
      logLevel: this.opts.logLevel,
      ...this.opts.coordinator.settings,
    };
  }

  /** Starts (or, after a stop or a kill, starts again) the coordinator. */
  async startCoordinator(): Promise<void> {
    const settings = this.coordinatorConfig();
    if (this.opts.coordinator.inProcess) {
      const log = this.opts.coordinator.log ?? createLogger('coordinator', this.opts.logLevel);
      this.coordinator = await Coordinator.start(loadConfig(coordinatorSettings, {}, settings), log);
      return;
    }
    const env = Object.fromEntries(
      (Object.keys(settings) as (keyof CoordinatorConfig)[]).map((k) => [
        coordinatorSettings[k].env,
        String(settings[k]),
      ]),
    );
    this.coordinatorProcess = await ServiceProcess.start({ command: ['coordinator'], env });
  }

  /** Stops the coordinator (a process is sent `signal`). */
  async stopCoordinator(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.coordinator?.stop();
    await this.coordinatorProcess?.stop(signal);
    this.coordinator = undefined;
    this.coordinatorProcess = undefined;
  }

  /** A prover's settings: this stack's endpoints and account `index`'s key, then `overrides`. */
  proverSettings(index: number, overrides: Settings<ProverConfig> = {}): Settings<ProverConfig> {
    return {
      key: this.chain.wallets[index]?.privateKey,
      name: `prover-${index}`,
      natsUrl: this.nats.url,
      coordinatorUrl: this.coordinatorUrl,
      rpcUrl: this.chain.anvil.url,
      deploymentFile: this.deploymentFile,
      logLevel: this.opts.logLevel,
      ...overrides,
    };
  }

  /** Starts account `index`'s prover agent in its own process. */
  async startProverProcess(index: number, overrides: Settings<ProverConfig> = {}): Promise<ServiceProcess> {
    const settings = this.proverSettings(index, overrides);
    const env = Object.fromEntries(
      (Object.keys(settings) as (keyof ProverConfig)[]).map((k) => [
        proverSettings[k].env,
        String(settings[k]),
      ]),
    );
    const p = await ServiceProcess.start({ command: ['prover', 'start'], env });
    this.proverProcesses.set(index, p);
    return p;
  }

  /** Starts a watchtower (`gavel watch`) with account `index`'s key in its own process. */
  async startWatchtowerProcess(
    index: number,
    overrides: Settings<WatchtowerConfig> = {},
  ): Promise<ServiceProcess> {
    const settings: Settings<WatchtowerConfig> = {
      key: devKey(index),
      rpcUrl: this.chain.anvil.url,
      deploymentFile: this.deploymentFile,
      pollMs: '1000',
      logLevel: this.opts.logLevel,
      ...overrides,
    };
    const env = Object.fromEntries(
      (Object.keys(settings) as (keyof WatchtowerConfig)[]).map((k) => [
        watchtowerSettings[k].env,
        String(settings[k]),
      ]),
    );
    const p = await ServiceProcess.start({ command: ['watch'], env });
    this.watchtowerProcesses.set(index, p);
    return p;
  }

  /** Starts account `index`'s prover agent in this process (quick tests). */
  async startProverAgent(
    index: number,
    overrides: Settings<ProverConfig> = {},
    log?: Logger,
  ): Promise<ProverAgent> {
    const config = loadConfig(proverSettings, {}, this.proverSettings(index, overrides));
    const logger = log ?? createLogger(`prover-${index}`, this.opts.logLevel);
    const agent = await ProverAgent.start(config, logger);
    this.agents.push(agent);
    return agent;
  }

  /** The stack's NATS URL. */
  get natsUrl(): string {
    return this.nats.url;
  }

  /** SIGKILLs the stack's NATS server and starts it again on the same port, store and keys. */
  restartNats(): Promise<void> {
    return this.nats.restart();
  }

  /** Stops provers, the coordinator, the database, NATS (if started here) and anvil. */
  async stop(): Promise<void> {
    await Promise.all([...this.proverProcesses.values()].map((p) => p.stop()));
    await Promise.all([...this.watchtowerProcesses.values()].map((p) => p.stop()));
    for (const a of this.agents) await a.stop().catch(() => undefined);
    await this.stopCoordinator().catch(() => undefined);
    for (const u of this.undo.reverse()) await u().catch(() => undefined);
    this.undo.length = 0;
  }
}
