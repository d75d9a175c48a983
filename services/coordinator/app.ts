// The coordinator's HTTP API as a Fastify app (built here, served by coordinator.ts, injected by
// tests): one error handler maps domain errors to statuses and hides 5xx internals.
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { GavelError } from '../shared/errors.js';
import type { CoordinatorContext } from './context.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { circuitRoutes } from './routes/circuits.js';
import { errorCodeOf, httpStatusOf } from './routes/error-mapping.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { metricsRoutes } from './routes/metrics.js';
import { proverRoutes } from './routes/provers.js';
import { replicaRoutes } from './routes/replicas.js';
import { transcriptRoutes } from './routes/transcripts.js';

export function buildApp(ctx: CoordinatorContext): FastifyInstance {
  const app = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.maxUploadBytes,
    // Behind a balancer, the client is who it forwarded for; from anyone else the header is a lie.
    ...(ctx.config.trustedProxies?.length ? { trustProxy: ctx.config.trustedProxies } : {}),
  });
  app.setErrorHandler((err: Error, request, reply) => {
    const status = httpStatusOf(err);
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    }
    const code = errorCodeOf(err, status);
    const details = err instanceof GavelError ? err.details : undefined;
    return reply
      .status(status)
      .send({ error: { code, message: err.message, ...(details ? { details } : {}) } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );
  if (ctx.config.rateLimitPerMin > 0) {
    // Per client address; a refusal is a 429 RATE_LIMITED through the error handler above.
    app.register(rateLimit, { max: ctx.config.rateLimitPerMin, timeWindow: 60_000 });
  }
  // OpenAPI from the route schemas, browsable at /docs (JSON at /docs/json).
  app.register(swagger, {
    openapi: {
      info: {
        title: 'Gavel coordinator API',
        description: 'Register circuits, submit batch proving jobs, follow auctions, download proofs.',
        version: '1',
      },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  app.register(healthRoutes(ctx));
  app.register(metricsRoutes(ctx));
  app.register(dashboardRoutes(ctx));
  app.register(circuitRoutes(ctx), { prefix: '/v1' });
  app.register(jobRoutes(ctx), { prefix: '/v1' });
  app.register(transcriptRoutes(ctx), { prefix: '/v1' });
  app.register(proverRoutes(ctx), { prefix: '/v1' });
  app.register(replicaRoutes(ctx), { prefix: '/v1' });
  return app;
}
