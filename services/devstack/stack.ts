// The one local marketplace: anvil with the contracts, NATS, a database, the coordinator (in this
// process or its own) and prover agents (processes, or in this process for quick tests). `gavel dev
// up`, the demo, the tests and the benchmarks all assemble it here; stop() undoes everything
// start() did, in reverse.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseEther, toQuantity, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { type CoordinatorConfig, coordinatorSettings } from '../coordinator/config.js';
import { Coordinator } from '../coordinator/coordinator.js';
import { devKey, freePort } from '../infra/anvil.js';
import { HttpBalancer } from '../infra/http-balancer.js';
import { ProverAgent } from '../prover/agent.js';
import { type ProverConfig, proverSettings } from '../prover/config.js';
import { writeDeployment } from '../shared/chain/deployment.js';
import { loadConfig } from '../shared/config.js';
import { applyMigrations } from '../shared/db/migrate.js';
import { createLogger } from '../shared/log.js';
import { type WatchtowerConfig, watchtowerSettings } from '../watchtower/config.js';
import { type Chain, type ChainOptions, startChain } from './local-chain.js';
import { ServiceProcess } from './service-process.js';
import { MarketNats, portFor, resolveDatabase, type StackDatabase } from './stack-parts.js';

export type Settings<C> = Partial<Record<keyof C, string>>;

export interface StackOptions {
  /** Anvil's port and accounts, and the deployment's options (cooldown, coordinator bonds, …). */
  chain?: ChainOptions;
  /** A Postgres server on which the stack's own database is (re)created; else an embedded one. */
  databaseServer?: string;
  /** The stack's database name, and whether stop() drops it. */
  database?: { name: string; drop: boolean };
  /** Where the contract addresses are written (default: the stack's temporary folder). */
  deploymentFile?: string;
  /** NATS nodes: 1 (a single server, the default) or a cluster (3 survives one node down). */
  natsNodes?: number;
  coordinator: {
    /** In this process (`Coordinator`) or as its own `gavel coordinator` process. */
    inProcess: boolean;
    /** Replicas (default 1), each with its own key holding the coordinator role; with more than
     *  one, a load balancer serves their HTTP APIs on `port`. */
    replicas?: number;
    /** HTTP port (0: any free port). */
    port?: number;
    settings?: Settings<CoordinatorConfig>;
    log?: Logger;
    /** Options for node in each replica's process (benchmarks: --cpu-prof). */
    nodeArgs?: string[];
  };
  logLevel: string;
}

let counter = 0;

/** The key of coordinator replica `replica`: account 0 (the deployer) for the first, keys outside
 *  the funded development accounts for the others (the stack funds them and grants the role). */
export function replicaKey(replica: number): string {
  return devKey(replica === 0 ? 0 : 1000 + replica);
}

export class LocalStack {
  /** The in-process coordinator replicas, when the stack runs them in this process. */
  readonly coordinators: (Coordinator | undefined)[] = [];
  /** The coordinator replicas' processes, when they run in their own. */
  readonly coordinatorProcesses: (ServiceProcess | undefined)[] = [];
  /** The HTTP load balancer in front of several replicas. */
  balancer: HttpBalancer | undefined;
  readonly agents: ProverAgent[] = [];
  readonly proverProcesses = new Map<number, ServiceProcess>();
  readonly watchtowerProcesses = new Map<number, ServiceProcess>();
  /** The HTTP APIs of the watchtowers started so far: provers file bid receipts with them. */
  readonly watchtowerUrls: string[] = [];
  private readonly undo: (() => Promise<void>)[] = [];

  private constructor(
    readonly opts: StackOptions,
    readonly dir: string,
    readonly chain: Chain,
    readonly nats: MarketNats,
    readonly database: StackDatabase,
    readonly deploymentFile: string,
    readonly coordinatorUrl: string,
    /** Each replica's own HTTP URL (one replica: the coordinator URL). */
    readonly replicaUrls: string[],
  ) {}

  /** The first replica, in this process. */
  get coordinator(): Coordinator | undefined {
    return this.coordinators[0];
  }

  /** The first replica's process. */
  get coordinatorProcess(): ServiceProcess | undefined {
    return this.coordinatorProcesses[0];
  }

  get replicas(): number {
    return this.replicaUrls.length;
  }

  /** Moves chain time forward by `seconds` and mines a block: every deadline the stack's parties
   *  judge (by the chain's clock) passes as if that time had gone by. */
  advance(seconds: number): Promise<void> {
    return this.chain.advance(seconds);
  }

  static async start(opts: StackOptions, onStep: (step: string) => void = () => {}): Promise<LocalStack> {
    const dir = mkdtempSync(join(tmpdir(), 'gavel-stack-'));
    const undo: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
    const cleanup = async () => {
      for (const u of undo.reverse()) await u().catch(() => undefined);
    };
    // Once made, the stack holds every undo step (and its balancer and coordinators): a failed
    // start stops it whole, so nothing it started (a listening balancer) keeps the process alive.
    let made: LocalStack | undefined;
    try {
      onStep('starting anvil and deploying the contracts');
      const port = opts.chain?.port ? await portFor(opts.chain.port, 'anvil (--rpc-port)') : undefined;
      const replicas = opts.coordinator.replicas ?? 1;
      const coordinators = Array.from({ length: replicas }, (_, i) => new Wallet(replicaKey(i)).address);
      // An empty block every second besides the transactions': chain time moves while the market
      // is idle, as on a live chain, so deadlines judged by block time pass on their own.
      const chain = await startChain({
        ...opts.chain,
        ...(port ? { port } : {}),
        coordinators,
        blockTime: 1,
      });
      undo.push(() => chain.stop());
      for (const address of coordinators.slice(1)) {
        await chain.provider.send('anvil_setBalance', [address, toQuantity(parseEther('1000'))]);
      }
      const deploymentFile = resolve(opts.deploymentFile ?? join(dir, 'deployment.json'));
      writeDeployment(chain.deployment, deploymentFile);
      const nodes = opts.natsNodes ?? 1;
      onStep(
        nodes > 1
          ? `starting a ${nodes}-node NATS cluster (authentication on)`
          : 'starting nats-server (authentication on)',
      );
      const nats = await MarketNats.start(dir, nodes);
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
      const replicaUrls =
        replicas === 1
          ? [url]
          : await Promise.all(coordinators.map(async () => `http://127.0.0.1:${await freePort()}`));
      const stack = new LocalStack(opts, dir, chain, nats, database, deploymentFile, url, replicaUrls);
      stack.undo.push(...undo);
      undo.length = 0;
      made = stack;
      if (replicas > 1) {
        onStep(`starting the load balancer in front of ${replicas} coordinator replicas`);
        stack.balancer = await HttpBalancer.start(replicaUrls, httpPort);
        const balancer = stack.balancer;
        stack.undo.push(() => balancer.stop());
      }
      for (let i = 0; i < replicas; i++) {
        onStep(replicas > 1 ? `starting coordinator replica ${i}` : 'starting the coordinator');
        await stack.startCoordinator(i);
      }
      return stack;
    } catch (err) {
      await made?.stop().catch(() => undefined);
      await cleanup();
      throw err;
    }
  }

  /** Replica `replica`'s settings: this stack's endpoints, the replica's key and port (its public
   *  URL the balancer's), then the options'. */
  private coordinatorConfig(replica: number): Settings<CoordinatorConfig> {
    return {
      databaseUrl: this.database.url,
      dbPoolSize: this.database.kind === 'embedded' ? '1' : '10',
      natsUrl: this.nats.url,
      natsCreds: this.nats.coordinatorCredsFile,
      natsAccountSeed: this.nats.authority.accountSeed,
      rpcUrl: this.chain.anvil.url,
      deploymentFile: this.deploymentFile,
      coordinatorKey: replicaKey(replica),
      port: new URL(this.replicaUrls[replica] as string).port,
      natsReplicas: String(this.nats.replicas),
      // anvil mines each transaction at once: seconds cover an assignment, even behind a busy outbox.
      assignMarginSeconds: '10',
      // A local market runs PLONK on the development ptau (there is no real ceremony offline).
      allowDevPtau: '1',
      // Every account of a local chain is the developer's: the coordinator pays for their circuits'
      // verifiers. Any other uploader deploys its own.
      sponsoredUploaders: this.chain.wallets.map((w) => w.address.toLowerCase()).join(','),
      // Behind the stack's balancer (on loopback) the rate limit counts each real client.
      ...(this.replicas > 1 ? { publicUrl: this.coordinatorUrl, trustedProxies: '127.0.0.1' } : {}),
      logLevel: this.opts.logLevel,
      ...this.opts.coordinator.settings,
    };
  }

  /** Starts (or, after a stop or a kill, starts again) coordinator replica `replica`. */
  async startCoordinator(replica = 0): Promise<void> {
    const settings = this.coordinatorConfig(replica);
    if (this.opts.coordinator.inProcess) {
      const many = this.replicas > 1;
      const given = this.opts.coordinator.log;
      const log = given
        ? many
          ? given.child({ replica })
          : given
        : createLogger(many ? `coordinator-${replica}` : 'coordinator', this.opts.logLevel);
      this.coordinators[replica] = await Coordinator.start(
        loadConfig(coordinatorSettings, {}, settings),
        log,
      );
      return;
    }
    const env = Object.fromEntries(
      (Object.keys(settings) as (keyof CoordinatorConfig)[]).map((k) => [
        coordinatorSettings[k].env,
        String(settings[k]),
      ]),
    );
    this.coordinatorProcesses[replica] = await ServiceProcess.start({
      command: ['coordinator'],
      env,
      ...(this.opts.coordinator.nodeArgs ? { nodeArgs: this.opts.coordinator.nodeArgs } : {}),
    });
  }

  /** Stops coordinator replica `replica` (a process is sent `signal`). */
  async stopCoordinator(signal: NodeJS.Signals = 'SIGTERM', replica = 0): Promise<void> {
    await this.coordinators[replica]?.stop();
    await this.coordinatorProcesses[replica]?.stop(signal);
    this.coordinators[replica] = undefined;
    this.coordinatorProcesses[replica] = undefined;
  }

  /** Stops every coordinator replica. */
  async stopCoordinators(): Promise<void> {
    for (let i = 0; i < this.replicas; i++) await this.stopCoordinator('SIGTERM', i).catch(() => undefined);
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
      watchtowers: this.watchtowerUrls.join(','),
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
      coordinatorUrl: this.coordinatorUrl,
      dataDir: join(dirname(this.deploymentFile), `watchtower-${index}`),
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
    if (typeof p.ready.url === 'string') this.watchtowerUrls.push(p.ready.url);
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

  /** SIGKILLs the stack's NATS server (node `node` of a cluster) and starts it again on the same
   *  port, store and keys. */
  restartNats(node = 0): Promise<void> {
    return this.nats.restart(node);
  }

  /** Stops provers, the coordinator, the database, NATS (if started here) and anvil. */
  async stop(): Promise<void> {
    await Promise.all([...this.proverProcesses.values()].map((p) => p.stop()));
    await Promise.all([...this.watchtowerProcesses.values()].map((p) => p.stop()));
    for (const a of this.agents) await a.stop().catch(() => undefined);
    await this.stopCoordinators();
    for (const u of this.undo.reverse()) await u().catch(() => undefined);
    this.undo.length = 0;
  }
}
