// /v1/provers: every prover heard from, with capacity, record, liveness and stake.
import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';
import { listProvers } from '../provers/list-provers.js';
import { arrayOf, bool, date, errorReplies, int, num, object, str } from './schemas.js';

const optionalStr = { type: 'string' } as const;
const proverReply = {
  type: 'object',
  required: [
    'address',
    'name',
    'backend',
    'threads',
    'maxDyadic',
    'gatesPerSec',
    'jobsWon',
    'failures',
    'lastSeen',
    'live',
  ],
  properties: {
    address: str,
    name: str,
    backend: str,
    threads: int,
    maxDyadic: int,
    gatesPerSec: num,
    jobsWon: int,
    failures: int,
    lastSeen: date,
    live: bool,
    stakeWei: optionalStr,
    freeStakeWei: optionalStr,
  },
} as const;

export const proverRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/provers',
      {
        schema: {
          summary: 'provers, their capacity, record and stake',
          response: { 200: object({ provers: arrayOf(proverReply) }), ...errorReplies },
        },
      },
      async () => ({ provers: await listProvers(ctx) }),
    );
  };
