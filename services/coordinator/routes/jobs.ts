// /v1/jobs: submit a job (after opening its escrow on-chain), list and read jobs, fetch their
// inputs and verified proofs, reveal their auctions, stop a job its requester cancelled, and take
// an attempt its prover hands back.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { db } from '../../shared/db/client.js';
import { MAX_MIRRORS } from '../../shared/protocol/inputs-availability.js';
import { signedReadOf } from '../../shared/protocol/request-auth.js';
import { type HandBackRequest, handBackAttempt } from '../assignment/hand-back.js';
import { jobAuctions } from '../auction/auction-view.js';
import type { CoordinatorContext } from '../context.js';
import { cancelJob } from '../intake/cancel-job.js';
import { jobDetails, jobInputs, listJobs } from '../intake/job-view.js';
import { type SubmitJobRequest, submitJob } from '../intake/submit-job.js';
import { jobProofs } from '../verification/proofs-view.js';
import {
  auctionsReply,
  handBackReply,
  jobDetailsReply,
  jobInputsReply,
  jobListReply,
  jobProofsReply,
  jobStatusReply,
  STATUSES,
  submitReply,
} from './job-schemas.js';
import { errorReplies, HEX32, idParam } from './schemas.js';

const submitBody = {
  type: 'object',
  required: ['jobId', 'circuitId', 'items'],
  additionalProperties: false,
  properties: {
    jobId: { type: 'string', pattern: HEX32 },
    circuitId: { type: 'string', pattern: HEX32 },
    items: { type: 'array', minItems: 1, items: { type: 'object' } },
    rule: { type: 'string', enum: ['SECOND_PRICE', 'FIRST_PRICE'] },
    public: { type: 'boolean' },
    signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$' },
    availability: {
      type: 'object',
      required: ['required', 'attestations'],
      additionalProperties: false,
      properties: {
        required: { type: 'integer', minimum: 1, maximum: MAX_MIRRORS },
        attestations: {
          type: 'array',
          maxItems: MAX_MIRRORS,
          items: {
            type: 'object',
            required: ['jobId', 'inputsHash', 'at', 'watchtower', 'signature', 'url'],
            properties: {
              jobId: { type: 'string', pattern: HEX32 },
              inputsHash: { type: 'string', pattern: HEX32 },
              at: { type: 'integer', minimum: 0 },
              watchtower: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
              signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$' },
              url: { type: 'string', pattern: '^https?://\\S+$', maxLength: 512 },
            },
          },
        },
      },
    },
  },
} as const;

const listQuery = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: STATUSES },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
  },
} as const;

/** GET /jobs/:id… routes: one read of one job. */
const byId = (summary: string, reply: object) => ({
  schema: { summary, params: idParam, response: { 200: reply, ...errorReplies } },
});
type ById = { Params: { id: string } };

/** POST /jobs (submit) and GET /jobs (list). */
function submitAndList(app: FastifyInstance, ctx: CoordinatorContext): void {
  app.post<{ Body: SubmitJobRequest }>(
    '/jobs',
    {
      schema: {
        summary: 'submit a job whose escrow is open on-chain',
        body: submitBody,
        response: { 202: submitReply, 200: submitReply, ...errorReplies },
      },
    },
    async (req, reply) => {
      const out = await submitJob(ctx, req.body);
      if (out.created) ctx.kick.announce();
      ctx.log.info({ jobId: out.jobId, created: out.created }, 'job submitted');
      return reply.status(out.created ? 202 : 200).send(out);
    },
  );
  app.get<{ Querystring: { status?: db.JobStatus; limit?: number } }>(
    '/jobs',
    {
      schema: {
        summary: 'recent jobs',
        querystring: listQuery,
        response: { 200: jobListReply, ...errorReplies },
      },
    },
    async (req) => ({ jobs: await listJobs(ctx, req.query.status, req.query.limit ?? 50) }),
  );
}

/** GET /jobs/:id and what hangs under it. */
function perJobReads(app: FastifyInstance, ctx: CoordinatorContext): void {
  app.get<ById>('/jobs/:id', byId('a job, its attempts and events', jobDetailsReply), async (req) =>
    jobDetails(ctx, req.params.id.toLowerCase()),
  );
  app.get<ById>(
    '/jobs/:id/inputs',
    byId(
      'content-addressed inputs: a signed read (x-gavel-at, x-gavel-signature; a prover adds x-gavel-attempt) unless public',
      jobInputsReply,
    ),
    async (req, reply) => {
      const inputs = await jobInputs(ctx, req.params.id.toLowerCase(), signedReadOf(req.headers));
      reply.header('x-gavel-inputs-hash', inputs.inputsHash);
      return inputs;
    },
  );
  app.get<ById>('/jobs/:id/proofs', byId('verified proofs, for bb verify', jobProofsReply), async (req) =>
    jobProofs(ctx, req.params.id.toLowerCase()),
  );
  app.get<ById>(
    '/jobs/:id/auctions',
    byId('every round, bids revealed once closed', auctionsReply),
    async (req) => {
      const id = req.params.id.toLowerCase();
      const { domain } = ctx;
      return {
        jobId: id,
        domain: { ...domain, chainId: Number(domain.chainId) },
        auctions: await jobAuctions(ctx, id),
      };
    },
  );
}

/** POST /jobs/:id/cancel, signed by the requester. */
function cancelRoute(app: FastifyInstance, ctx: CoordinatorContext): void {
  app.post<ById & { Body: { at: number; signature: string } }>(
    '/jobs/:id/cancel',
    {
      schema: {
        summary:
          "stop a job cancelled on-chain (signed by its requester: { at, signature } over 'cancel job')",
        params: idParam,
        body: {
          type: 'object',
          required: ['at', 'signature'],
          additionalProperties: false,
          properties: {
            at: { type: 'integer' },
            signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$' },
          },
        },
        response: { 200: jobStatusReply, ...errorReplies },
      },
    },
    async (req) => cancelJob(ctx, req.params.id.toLowerCase(), req.body),
  );
}

/** POST /jobs/:id/hand-back, signed by the assigned prover (EIP-712 HandBack). */
function handBackRoute(app: FastifyInstance, ctx: CoordinatorContext): void {
  app.post<ById & { Body: HandBackRequest }>(
    '/jobs/:id/hand-back',
    {
      schema: {
        summary: 'the assigned prover gives its attempt back (EIP-712 HandBack signature): no slash',
        params: idParam,
        body: {
          type: 'object',
          required: ['attempt', 'signature'],
          additionalProperties: false,
          properties: {
            attempt: { type: 'integer', minimum: 0 },
            signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$' },
            reason: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: handBackReply, ...errorReplies },
      },
    },
    async (req) => handBackAttempt(ctx, req.params.id.toLowerCase(), req.body),
  );
}

export const jobRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    submitAndList(app, ctx);
    perJobReads(app, ctx);
    cancelRoute(app, ctx);
    handBackRoute(app, ctx);
  };
