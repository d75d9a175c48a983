// The dashboard: a page at /, the market snapshot at /v1/market, and live updates of it as
// server-sent events at /v1/market/events (one snapshot per second at most, only when it changed).
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { repoRoot } from '../../shared/paths.js';
import type { CoordinatorContext } from '../context.js';
import { marketSnapshot } from './snapshot.js';

const PAGE = join(repoRoot, 'services/coordinator/dashboard/page.html');
const PUSH_MS = 1000;
const KEEPALIVE_MS = 15_000;

export const dashboardRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    const page = readFileSync(PAGE, 'utf8');
    const clients = new Set<ServerResponse>();
    let last = '';
    let lastSent = 0;
    let busy = false;

    const push = async () => {
      if (busy || clients.size === 0) return;
      busy = true;
      try {
        const body = JSON.stringify(await marketSnapshot(ctx));
        const keepalive = Date.now() - lastSent > KEEPALIVE_MS;
        if (body !== last || keepalive) {
          last = body;
          lastSent = Date.now();
          for (const c of clients) c.write(`event: snapshot\ndata: ${body}\n\n`);
        }
      } catch (err) {
        ctx.log.warn({ err: err }, 'dashboard snapshot failed');
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void push(), PUSH_MS);
    app.addHook('onClose', async () => {
      clearInterval(timer);
      for (const c of clients) c.end();
      clients.clear();
    });

    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send(page));

    app.get(
      '/v1/market',
      { schema: { summary: 'the dashboard snapshot: provers, jobs, auctions, series' } },
      () => marketSnapshot(ctx),
    );

    app.get(
      '/v1/market/events',
      { schema: { summary: 'server-sent events: a `snapshot` event whenever the market changes' } },
      async (req, reply) => {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        res.write(`event: snapshot\ndata: ${JSON.stringify(await marketSnapshot(ctx))}\n\n`);
        clients.add(res);
        req.raw.on('close', () => clients.delete(res));
      },
    );
  };
