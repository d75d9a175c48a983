import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';

export const healthRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/health', async () => ({ ok: true }));
    app.get('/ready', async (_req, reply) => {
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
