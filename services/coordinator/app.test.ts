// The HTTP error mapping, through app.inject() on the real Fastify app with a stub context: domain
// codes get their status, Fastify's own refusals get Gavel codes, anything else is a 500 that
// hides its message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { GavelError } from '../shared/errors.js';
import { buildApp } from './app.js';
import type { CoordinatorContext } from './context.js';

const JOB = `0x${'ab'.repeat(32)}`;

/** A context whose database answers with `job` for any job lookup and `circuit` for circuits. */
function stubContext(
  lookups: { job: () => Promise<unknown>; circuit: () => Promise<unknown> },
  rateLimitPerMin = 0,
  trustedProxies: string[] = [],
) {
  return {
    config: { maxUploadBytes: 4096, rateLimitPerMin, trustedProxies },
    log: pino({ level: 'silent' }),
    prisma: { job: { findUnique: lookups.job }, circuit: { findUnique: lookups.circuit } },
  } as unknown as CoordinatorContext;
}

async function inject(ctx: CoordinatorContext, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const app = buildApp(ctx);
  try {
    const res = await app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return {
      status: res.statusCode,
      error: (res.json() as { error: { code: string; message: string } }).error,
    };
  } finally {
    await app.close();
  }
}

test('a domain error keeps its code and gets its status', async () => {
  const ctx = stubContext({ job: async () => null, circuit: async () => null });
  assert.deepEqual(await inject(ctx, 'GET', `/v1/jobs/${JOB}`), {
    status: 404,
    error: { code: 'UNKNOWN_JOB', message: `no job ${JOB}` },
  });
  const circuit = await inject(ctx, 'GET', `/v1/circuits/${JOB}`);
  assert.equal(circuit.status, 404);
  assert.equal(circuit.error.code, 'UNKNOWN_CIRCUIT');
});

test('an unknown domain code and a plain error are 500s that hide their message', async () => {
  const secret = 'connection to 10.0.0.7 refused';
  const unknownCode = stubContext({
    job: async () => {
      throw new GavelError('SOMETHING_NEW', secret);
    },
    circuit: async () => {
      throw new Error(secret);
    },
  });
  for (const url of [`/v1/jobs/${JOB}`, `/v1/circuits/${JOB}`]) {
    const res = await inject(unknownCode, 'GET', url);
    assert.equal(res.status, 500, url);
    assert.deepEqual(res.error, { code: 'INTERNAL', message: 'internal error' });
  }
});

test("Fastify's own refusals carry Gavel codes", async () => {
  const ctx = stubContext({ job: async () => null, circuit: async () => null });
  const badId = await inject(ctx, 'GET', '/v1/jobs/not-a-job-id');
  assert.equal(badId.status, 400);
  assert.equal(badId.error.code, 'BAD_REQUEST');
  assert.match(badId.error.message, /id/);
  const noRoute = await inject(ctx, 'GET', '/v1/nothing-here');
  assert.equal(noRoute.status, 404);
  assert.equal(noRoute.error.code, 'NOT_FOUND');
  const tooLarge = await inject(ctx, 'POST', '/v1/circuits', { bytecode: 'A'.repeat(10_000), abi: {} });
  assert.equal(tooLarge.status, 413);
  assert.equal(tooLarge.error.code, 'TOO_LARGE');
});

test('a client over its request budget gets 429 RATE_LIMITED', async () => {
  const app = buildApp(stubContext({ job: async () => null, circuit: async () => null }, 3));
  try {
    const statuses: number[] = [];
    let last: { error?: { code: string } } = {};
    for (let i = 0; i < 4; i++) {
      const res = await app.inject({ method: 'GET', url: `/v1/jobs/${JOB}` });
      statuses.push(res.statusCode);
      last = res.json();
    }
    assert.deepEqual(statuses, [404, 404, 404, 429]);
    assert.equal(last.error?.code, 'RATE_LIMITED');
  } finally {
    await app.close();
  }
});

test('behind a trusted balancer each forwarded client has its own rate limit; from others the header is ignored (review N10)', async () => {
  const lookups = { job: async () => null, circuit: async () => null };
  const statuses = async (ctx: CoordinatorContext, clients: string[]) => {
    const app = buildApp(ctx);
    try {
      const out: number[] = [];
      for (const client of clients) {
        const res = await app.inject({
          method: 'GET',
          url: `/v1/jobs/${JOB}`,
          headers: { 'x-forwarded-for': client },
        });
        out.push(res.statusCode);
      }
      return out;
    } finally {
      await app.close();
    }
  };
  // inject() connects from 127.0.0.1, the balancer here: A's third request is refused, B's are not.
  const behind = stubContext(lookups, 2, ['127.0.0.1']);
  assert.deepEqual(
    await statuses(behind, ['10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.2']),
    [404, 404, 429, 404],
  );
  // Not a trusted balancer: a client cannot buy itself new budgets by forging the header.
  const direct = stubContext(lookups, 2);
  assert.deepEqual(await statuses(direct, ['10.0.0.1', '10.0.0.2', '10.0.0.3']), [404, 404, 429]);
});
