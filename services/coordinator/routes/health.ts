// /health (the process answers) and /ready (database, NATS and chain answer, and this replica's key
// holds the coordinator role).
import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';
import { assertCoordinatorRole } from '../resources.js';
import { bool, object } from './schemas.js';

const readyReply = object({
  ready: bool,
  checks: object({ database: bool, nats: bool, chain: bool, coordinatorRole: bool }),
});

export const healthRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/health', { schema: { response: { 200: object({ ok: bool }) } } }, async () => ({ ok: true }));
    app.get('/ready', { schema: { response: { 200: readyReply, 503: readyReply } } }, async (_req, reply) => {
      const checks = { database: false, nats: !ctx.nc.isClosed(), chain: false, coordinatorRole: false };
      try {
        await ctx.prisma.$queryRaw`SELECT 1`;
        checks.database = true;
      } catch {}
      try {
        await ctx.chain.market.getFunction('owner')();
        checks.chain = true;
        // Without the role every assignment reverts: not ready (see the log line of the start).
        await assertCoordinatorRole(ctx.chain);
        checks.coordinatorRole = true;
      } catch {}
      const ready = Object.values(checks).every(Boolean);
      return reply.status(ready ? 200 : 503).send({ ready, checks });
    });
  };
