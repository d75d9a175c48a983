// Serves a Prometheus registry at http://127.0.0.1:<port>/metrics (prover agents, watchtowers).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `registry` on 127.0.0.1:`port` (0: any free port). */
export async function serveMetrics(registry: Registry, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A service's metrics: a registry, served on demand, closed with the service. */
export class ServedRegistry {
  readonly registry = new Registry();
  protected readonly r = [this.registry];
  private server: MetricsServer | undefined;

  /** Serves /metrics on 127.0.0.1:`port` (0: any free port); returns the URL. */
  async serve(port: number): Promise<string> {
    this.server = await serveMetrics(this.registry, port);
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
