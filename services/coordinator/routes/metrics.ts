import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';

/** Prometheus text format of the coordinator's metrics. */
export const metricsRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
      reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
    );
  };
