// /health (the process answers) and /ready (database, NATS and chain all answer).
import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';
import { bool, object } from './schemas.js';

const readyReply = object({ ready: bool, checks: object({ database: bool, nats: bool, chain: bool }) });

export const healthRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/health', { schema: { response: { 200: object({ ok: bool }) } } }, async () => ({ ok: true }));
    app.get('/ready', { schema: { response: { 200: readyReply, 503: readyReply } } }, async (_req, reply) => {
      const checks = { database: false, nats: !ctx.nc.isClosed(), chain: false };
      try {
        await ctx.prisma.$queryRaw`SELECT 1`;
        checks.database = true;
      } catch {}
      try {
        await ctx.chain.market.getFunction('owner')();
        checks.chain = true;
      } catch {}
      const ready = Object.values(checks).every(Boolean);
      return reply.status(ready ? 200 : 503).send({ ready, checks });
    });
  };
