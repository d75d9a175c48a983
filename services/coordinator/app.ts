// The coordinator's HTTP API as a Fastify app (built here, run by server.ts, injected by tests).
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { GavelError } from '../shared/errors.js';
import type { CoordinatorContext } from './context.js';
import { httpStatusOf } from './http-errors.js';
import { circuitRoutes } from './routes/circuits.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { proverRoutes } from './routes/provers.js';

export function buildApp(ctx: CoordinatorContext): FastifyInstance {
  const app = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.maxUploadBytes,
  });
  app.setErrorHandler((err: Error, request, reply) => {
    const status = httpStatusOf(err);
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    }
    const code = err instanceof GavelError ? err.code : ((err as { code?: string }).code ?? 'BAD_REQUEST');
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
  app.register(healthRoutes(ctx));
  app.register(circuitRoutes(ctx), { prefix: '/v1' });
  app.register(jobRoutes(ctx), { prefix: '/v1' });
  app.register(proverRoutes(ctx), { prefix: '/v1' });
  return app;
}
