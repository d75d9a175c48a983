// A load balancer for the coordinator replicas' HTTP APIs in a local stack, as nginx or a cloud
// balancer does it in production: requests go round-robin to the replicas whose /health answers
// (checked every 250 ms), a replica that refuses a connection is taken out at once, and a GET that
// found it dead is retried on another. Proxying is http-proxy's.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import httpProxy from 'http-proxy';

const HEALTH_EVERY_MS = 250;
const HEALTH_TIMEOUT_MS = 1000;

export class HttpBalancer {
  private readonly up: boolean[];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly proxy = httpProxy.createProxyServer({ xfwd: true });

  private constructor(
    private readonly targets: string[],
    private readonly server: Server,
  ) {
    this.up = targets.map(() => true);
  }

  /** Balances over `targets` (base URLs) on 127.0.0.1:`port` (0: any free port). */
  static async start(targets: string[], port = 0): Promise<HttpBalancer> {
    const server = createServer((req, res) => b.route(req, res, new Set()));
    const b = new HttpBalancer(targets, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    b.timer = setInterval(() => void b.checkHealth(), HEALTH_EVERY_MS);
    return b;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async checkHealth(): Promise<void> {
    await Promise.all(
      this.targets.map(async (t, i) => {
        try {
          const res = await fetch(`${t}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
          this.up[i] = res.ok;
        } catch {
          this.up[i] = false;
        }
      }),
    );
  }

  /** The next healthy replica not tried yet for this request (round-robin). */
  private pick(tried: Set<number>): number | undefined {
    for (let k = 0; k < this.targets.length; k++) {
      const i = (this.next + k) % this.targets.length;
      if (this.up[i] && !tried.has(i)) {
        this.next = i + 1;
        return i;
      }
    }
    return undefined;
  }

  private route(req: IncomingMessage, res: ServerResponse, tried: Set<number>): void {
    const i = this.pick(tried);
    if (i === undefined) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { code: 'NO_REPLICA', message: 'no coordinator replica is answering' } }),
      );
      return;
    }
    tried.add(i);
    this.proxy.web(req, res, { target: this.targets[i] }, (err) => {
      const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
      if (refused) this.up[i] = false;
      // Nothing reached a replica that refused the connection; only a body-less request can be
      // sent again (a POST's body is already consumed).
      if (refused && (req.method === 'GET' || req.method === 'HEAD') && !res.headersSent) {
        this.route(req, res, tried);
        return;
      }
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: `replica ${i}: ${err.message}` } }));
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.proxy.close();
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
