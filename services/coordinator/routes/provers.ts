// /v1/provers: every prover heard from, with capacity, record, liveness and stake.
import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';
import { type CredentialsRequest, issueProverCredentials } from '../provers/credentials.js';
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
    proofSystems: arrayOf(str),
    plonkGatesPerSec: num,
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
    app.post<{ Body: CredentialsRequest }>(
      '/provers/credentials',
      {
        schema: {
          summary:
            "NATS credentials for a registered prover: a user JWT limited to the prover's own subjects",
          body: {
            type: 'object',
            required: ['prover', 'nkey', 'at', 'signature'],
            additionalProperties: false,
            properties: {
              prover: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
              nkey: { type: 'string', pattern: '^U[A-Z2-7]{55}$' },
              at: { type: 'integer', minimum: 0 },
              signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$' },
            },
          },
          response: {
            200: { type: 'object', properties: { jwt: str, expiresAt: int, open: bool } },
            ...errorReplies,
          },
        },
      },
      async (req) => issueProverCredentials(ctx, req.body),
    );
  };
