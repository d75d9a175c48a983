// The infrastructure a local stack stands on: a free port, its own NATS with authentication, a
// database (a fresh one on a Postgres server, else embedded), and the machine's proving speed.

import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../infra/anvil.js';
import { EmbeddedPostgres } from '../infra/embedded-postgres.js';
import { NatsServer } from '../infra/nats-server.js';
import { calibrate } from '../prover/calibrate.js';
import { createDatabase, dropDatabase } from '../shared/db/migrate.js';
import { GavelError } from '../shared/errors.js';
import {
  createNatsAuthority,
  issueCreds,
  type NatsAuthority,
  serverAuthConfig,
} from '../shared/nats/auth.js';
import { BbBackend } from '../shared/proving/bb-backend.js';
import { sleep } from '../shared/retry.js';

type Step = (step: string) => void;

export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ host, port }, () => {
      s.end();
      done(true);
    });
    s.on('error', () => done(false));
  });
}

/** `port` if it is free (0: any free port); PORT_IN_USE naming `what` otherwise. */
export async function portFor(port: number, what: string): Promise<number> {
  if (port === 0) return freePort();
  if (await listening('127.0.0.1', port)) {
    throw new GavelError(
      'PORT_IN_USE',
      `port ${port} for ${what} is already in use: stop what holds it (gavel dev down?) or choose another port (0 = any)`,
    );
  }
  return port;
}

/**
 * The stack's own NATS, with authentication on (a market NATS never runs open): a fresh authority
 * (operator, account), one server or a cluster of `nodes` servers with routes between them (all in
 * operator mode with the same authority), and the coordinator's credentials in `dir`. Any node can
 * be killed and restarted on the same ports, store and keys.
 */
export class MarketNats {
  private constructor(
    readonly servers: NatsServer[],
    private readonly starts: (() => Promise<NatsServer>)[],
    readonly authority: NatsAuthority,
    readonly coordinatorCredsFile: string,
  ) {}

  static async start(dir: string, nodes = 1): Promise<MarketNats> {
    const authority = createNatsAuthority();
    const auth = await serverAuthConfig(authority);
    const credsFile = join(dir, 'coordinator.creds');
    writeFileSync(credsFile, await issueCreds(authority.accountSeed, 'coordinator'), { mode: 0o600 });
    const ports = await Promise.all(Array.from({ length: nodes }, () => freePort()));
    const routePorts = nodes > 1 ? await Promise.all(ports.map(() => freePort())) : [];
    const starts = ports.map((port, i) => {
      const storeDir = join(dir, nodes > 1 ? `nats-${i}` : 'nats');
      const cluster =
        nodes > 1
          ? { name: 'gavel', serverName: `gavel-${i}`, routePort: routePorts[i] as number, routePorts }
          : undefined;
      return () => NatsServer.start({ port, storeDir, auth, ...(cluster ? { cluster } : {}) });
    });
    const servers: NatsServer[] = [];
    try {
      for (const start of starts) servers.push(await start());
    } catch (err) {
      for (const s of servers) await s.stop();
      throw err;
    }
    return new MarketNats(servers, starts, authority, credsFile);
  }

  /** Every node's URL, comma-separated (what NATS_URL takes). */
  get url(): string {
    return this.servers.map((s) => s.url).join(',');
  }

  /** How many copies of each stream the cluster keeps (at most 3, at most its size). */
  get replicas(): number {
    return Math.min(3, this.servers.length);
  }

  /** SIGKILLs node `node`, keeping its store, so it can be started again. */
  kill(node = 0): Promise<void> {
    return (this.servers[node] as NatsServer).stop('SIGKILL', true);
  }

  /** Starts node `node` again on its port, store and keys. */
  async revive(node = 0): Promise<void> {
    this.servers[node] = await (this.starts[node] as () => Promise<NatsServer>)();
  }

  /** SIGKILLs node `node` and starts it again on the same port, store and keys. */
  async restart(node = 0): Promise<void> {
    await this.kill(node);
    await sleep(1000);
    await this.revive(node);
  }

  async stop(): Promise<void> {
    for (const s of this.servers) await s.stop();
  }
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

export interface StackDatabase {
  url: string;
  kind: 'embedded' | 'postgres';
  stop(): Promise<void>;
}

/**
 * The chain is new on every start, so the database must be too: database `name` is (re)created on
 * the Postgres server at `serverUrl` (and dropped on stop when `drop`), else an embedded one runs.
 */
export async function resolveDatabase(
  serverUrl: string | undefined,
  opts: { name: string; drop: boolean },
  onStep: Step,
): Promise<StackDatabase> {
  if (serverUrl) {
    onStep(`creating database ${opts.name}`);
    try {
      const url = await createDatabase(serverUrl, opts.name);
      const stop = async () => (opts.drop ? dropDatabase(serverUrl, opts.name) : undefined);
      return { url, kind: 'postgres', stop };
    } catch (cause) {
      const message = `cannot (re)create database ${opts.name} through ${redact(serverUrl)}: ${(cause as Error).message}`;
      throw new GavelError('DATABASE_UNAVAILABLE', message, { cause });
    }
  }
  onStep('starting embedded Postgres (PGlite)');
  const embedded = await EmbeddedPostgres.start();
  return { url: embedded.url, kind: 'embedded', stop: () => embedded.stop() };
}

/** This machine's proving speed on batch_transfer (WASM, one thread). */
export async function measureSpeed(): Promise<number> {
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  try {
    return (await calibrate(backend, 1)).gatesPerSec;
  } finally {
    await backend.destroy();
  }
}
