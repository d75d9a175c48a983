// The whole marketplace on one machine: anvil with the contracts, NATS, a database, the
// coordinator and N staked prover agents. Used by `gavel dev up` and the demo; stop() undoes
// everything start() did, in reverse.
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { parseEther, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { coordinatorSettings } from '../coordinator/config.js';
import { Coordinator } from '../coordinator/coordinator.js';
import { Anvil, devKey, freePort } from '../infra/anvil.js';
import { EmbeddedPostgres } from '../infra/embedded-postgres.js';
import { NatsServer } from '../infra/nats-server.js';
import { calibrate } from '../prover/calibrate.js';
import { type Deployment, deployGavel, writeDeployment } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { loadConfig } from '../shared/config.js';
import { applyMigrations, createDatabase } from '../shared/db/migrate.js';
import { GavelError } from '../shared/errors.js';
import { BbBackend } from '../shared/proving/bb-backend.js';
import { ServiceProcess } from './service-process.js';

export interface StackOptions {
  provers: number;
  /** Anvil's port (0: any free port). */
  rpcPort: number;
  /** The coordinator's HTTP port (0: any free port). */
  httpPort: number;
  /** A NATS server to reuse if it answers; otherwise nats-server is started. */
  natsUrl: string;
  /** A Postgres server; the stack (re)creates its own database `gavel_dev` there. Else embedded. */
  databaseUrl?: string;
  deploymentFile: string;
  auctionWindowMs?: number;
  log: (service: string) => Logger;
  /** Log level of the prover agents (their own processes; their logs go to this stderr). */
  logLevel: string;
}

export interface StackProver {
  name: string;
  address: string;
  key: string;
  minPriceWei: string;
  pricePerGateWei: string;
  pid: number;
  metrics: string;
}

export interface StackEndpoints {
  coordinator: string;
  rpc: string;
  nats: string;
  natsStarted: boolean;
  database: string;
  databaseKind: 'embedded' | 'postgres';
  deployment: string;
  market: string;
  staking: string;
  chainId: number;
  /** A funded account for submitting jobs (anvil's well-known development key). */
  requesterKey: string;
  requester: string;
  provers: StackProver[];
}

const PROVER_STAKE = parseEther('10');
const REQUESTER_INDEX = 9;

export class LocalStack {
  private constructor(
    readonly endpoints: StackEndpoints,
    readonly coordinator: Coordinator,
    readonly provers: ServiceProcess[],
    readonly deployment: Deployment,
    private readonly undo: (() => Promise<void>)[],
  ) {}

  static async start(opts: StackOptions, onStep: (step: string) => void = () => {}): Promise<LocalStack> {
    if (!Number.isInteger(opts.provers) || opts.provers < 1 || opts.provers > 8)
      throw new GavelError('BAD_PROVERS', '--provers must be 1..8');
    const undo: (() => Promise<void>)[] = [];
    const cleanup = async () => {
      for (const u of undo.reverse()) await u().catch(() => undefined);
    };
    try {
      onStep('starting anvil');
      const rpcPort = await portFor(opts.rpcPort, 'anvil (--rpc-port)');
      const anvil = await Anvil.start({ port: rpcPort, accounts: 10 });
      undo.push(() => anvil.stop());

      onStep('deploying contracts');
      const provider = rpcProvider(anvil.url);
      undo.push(async () => provider.destroy());
      const owner = new Wallet(devKey(0), provider);
      const deployment = await deployGavel(owner, { cooldownSeconds: 60 });
      const deploymentFile = resolve(opts.deploymentFile);
      writeDeployment(deployment, deploymentFile);

      const nats = await resolveNats(opts.natsUrl, onStep);
      if (nats.server) undo.push(() => nats.server?.stop() ?? Promise.resolve());

      const database = await resolveDatabase(opts.databaseUrl, onStep);
      if (database.embedded) undo.push(() => database.embedded?.stop() ?? Promise.resolve());
      onStep('migrating the database');
      await applyMigrations(database.url);

      onStep('starting the coordinator');
      const httpPort = await portFor(opts.httpPort, 'the coordinator (--port)');
      const coordinator = await Coordinator.start(
        loadConfig(
          coordinatorSettings,
          {},
          {
            databaseUrl: database.url,
            dbPoolSize: database.embedded ? '1' : '10',
            natsUrl: nats.url,
            rpcUrl: anvil.url,
            deploymentFile,
            coordinatorKey: devKey(0),
            port: String(httpPort),
            auctionWindowMs: String(opts.auctionWindowMs ?? 1500),
          },
        ),
        opts.log('coordinator'),
      );
      undo.push(() => coordinator.stop());

      onStep('measuring proving speed');
      const gatesPerSec = await measureSpeed();

      const provers: ServiceProcess[] = [];
      undo.push(async () => {
        await Promise.all(provers.map((p) => p.stop()));
      });
      const proverInfo: StackProver[] = [];
      for (let i = 1; i <= opts.provers; i++) {
        onStep(`registering, staking and starting prover ${i} of ${opts.provers}`);
        const key = devKey(i);
        const wallet = new Wallet(key, provider);
        const contracts = new GavelContracts(deployment, wallet);
        await contracts.registerProver(`dev-prover-${i}`, '');
        await contracts.stake(PROVER_STAKE);
        // Different price policies, so auctions have something to decide.
        const minPriceWei = (parseEther('0.001') * BigInt(i)).toString();
        const pricePerGateWei = (10n ** 9n * BigInt(2 * i + 1)).toString();
        const agent = await ServiceProcess.start({
          command: ['prover', 'start'],
          env: {
            GAVEL_PRIVATE_KEY: key,
            GAVEL_PROVER_NAME: `dev-prover-${i}`,
            NATS_URL: nats.url,
            GAVEL_RPC_URL: anvil.url,
            GAVEL_DEPLOYMENT: deploymentFile,
            GAVEL_GATES_PER_SEC: String(gatesPerSec),
            GAVEL_MIN_PRICE_WEI: minPriceWei,
            GAVEL_PRICE_PER_GATE_WEI: pricePerGateWei,
            GAVEL_HEARTBEAT_MS: '500',
            GAVEL_LOG_LEVEL: opts.logLevel,
          },
        });
        provers.push(agent);
        proverInfo.push({
          name: `dev-prover-${i}`,
          address: wallet.address,
          key,
          minPriceWei,
          pricePerGateWei,
          pid: agent.pid,
          metrics: String(agent.ready.metricsUrl),
        });
      }

      const requesterKey = devKey(REQUESTER_INDEX);
      const endpoints: StackEndpoints = {
        coordinator: coordinator.httpUrl,
        rpc: anvil.url,
        nats: nats.url,
        natsStarted: nats.server !== undefined,
        database: database.url,
        databaseKind: database.embedded ? 'embedded' : 'postgres',
        deployment: deploymentFile,
        market: deployment.market,
        staking: deployment.staking,
        chainId: deployment.chainId,
        requesterKey,
        requester: new Wallet(requesterKey).address,
        provers: proverInfo,
      };
      return new LocalStack(endpoints, coordinator, provers, deployment, undo);
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  /** Stops provers, coordinator, database, NATS (if started here) and anvil. */
  async stop(): Promise<void> {
    for (const u of this.undo.reverse()) await u().catch(() => undefined);
    this.undo.length = 0;
  }
}

async function measureSpeed(): Promise<number> {
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  try {
    return (await calibrate(backend, 1)).gatesPerSec;
  } finally {
    await backend.destroy();
  }
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ host, port }, () => {
      s.end();
      done(true);
    });
    s.on('error', () => done(false));
  });
}

async function portFor(port: number, what: string): Promise<number> {
  if (port === 0) return freePort();
  if (await listening('127.0.0.1', port)) {
    throw new GavelError(
      'PORT_IN_USE',
      `port ${port} for ${what} is already in use: stop what holds it (gavel dev down?) or choose another port (0 = any)`,
    );
  }
  return port;
}

async function resolveNats(
  url: string,
  onStep: (s: string) => void,
): Promise<{ url: string; server?: NatsServer }> {
  const u = new URL(url.replace(/^nats:/, 'http:'));
  if (await listening(u.hostname, Number(u.port || 4222))) {
    onStep(`reusing NATS at ${url}`);
    return { url };
  }
  onStep('starting nats-server');
  const server = await NatsServer.start();
  return { url: server.url, server };
}

async function resolveDatabase(
  databaseUrl: string | undefined,
  onStep: (s: string) => void,
): Promise<{ url: string; embedded?: EmbeddedPostgres }> {
  if (databaseUrl) {
    // The chain is new on every start, so the database must be too: a dedicated one is recreated.
    onStep('creating database gavel_dev');
    try {
      return { url: await createDatabase(databaseUrl, 'gavel_dev') };
    } catch (cause) {
      throw new GavelError(
        'DATABASE_UNAVAILABLE',
        `cannot (re)create database gavel_dev through ${redact(databaseUrl)}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  onStep('starting embedded Postgres (PGlite)');
  const embedded = await EmbeddedPostgres.start();
  return { url: embedded.url, embedded };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
