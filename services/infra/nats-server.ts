// A local nats-server with JetStream (the Debian/upstream binary), started and stopped here.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GavelError } from '../shared/errors.js';
import { sleep } from '../shared/retry.js';
import { freePort } from './anvil.js';

/** Path of nats-server on PATH (or common locations), or undefined. */
export function natsServerBinary(): string | undefined {
  for (const candidate of [
    process.env.NATS_SERVER_BIN,
    'nats-server',
    '/usr/sbin/nats-server',
    '/usr/local/bin/nats-server',
  ]) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['--version'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  return undefined;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** A node's place in a cluster: its name, its route port, and every node's route port. */
export interface ClusterNode {
  /** The cluster's name (the same on every node). */
  name: string;
  /** This node's name: JetStream in a cluster needs a unique one per node. */
  serverName: string;
  routePort: number;
  /** The route ports of every node of the cluster (this one's included is fine). */
  routePorts: number[];
}

/** The configuration of a node's routes (nats-server's `cluster` block). */
function clusterBlock(c: ClusterNode): string {
  const routes = c.routePorts.map((p) => `    nats-route://127.0.0.1:${p}`).join('\n');
  return [
    `server_name: ${c.serverName}`,
    'cluster {',
    `  name: ${c.name}`,
    '  host: 127.0.0.1',
    `  port: ${c.routePort}`,
    `  routes: [\n${routes}\n  ]`,
    '}',
  ].join('\n');
}

export class NatsServer {
  readonly url: string;
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly storeDir: string,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  /**
   * Starts nats-server with JetStream on 127.0.0.1. With `auth` (serverAuthConfig's block) it runs
   * in operator mode: only holders of credentials issued by the market's account get in. With
   * `cluster` it is one node of a cluster (routes to the others, JetStream clustered).
   */
  static async start(
    opts: { port?: number; storeDir?: string; auth?: string; cluster?: ClusterNode } = {},
  ): Promise<NatsServer> {
    const bin = natsServerBinary();
    if (!bin) {
      throw new GavelError(
        'NATS_MISSING',
        'nats-server is not installed: apt-get install nats-server (or set NATS_URL to a running server)',
      );
    }
    const port = opts.port ?? (await freePort());
    const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'gavel-nats-'));
    mkdirSync(storeDir, { recursive: true });
    const configFile = join(storeDir, 'nats-server.conf');
    writeFileSync(
      configFile,
      [
        'host: 127.0.0.1',
        `port: ${port}`,
        `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
        opts.cluster ? clusterBlock(opts.cluster) : '',
        opts.auth ?? '',
        '',
      ].join('\n'),
    );
    const child = spawn(bin, ['-c', configFile], { stdio: 'ignore' });
    const server = new NatsServer(child, port, opts.storeDir ? '' : storeDir);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new GavelError('NATS_FAILED', `nats-server exited with code ${child.exitCode}`);
      if (await listening(port)) return server;
      await sleep(50);
    }
    await server.stop();
    throw new GavelError('NATS_FAILED', `nats-server did not listen on ${port} within 10 s`);
  }

  /** Stops the server; `keepStore` leaves JetStream data for a restart on the same folder. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', keepStore = false): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (this.storeDir && !keepStore) rmSync(this.storeDir, { recursive: true, force: true });
  }
}
