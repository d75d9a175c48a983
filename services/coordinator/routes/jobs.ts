// /v1/jobs: submit a job (after opening its escrow on-chain), list and read jobs, fetch their
// inputs and verified proofs, reveal their auctions, and stop a job its requester cancelled.
import type { FastifyPluginAsync } from 'fastify';
import type { db } from '../../shared/db/client.js';
import { jobAuctions } from '../auction/auction-view.js';
import type { CoordinatorContext } from '../context.js';
import { cancelJob } from '../intake/cancel-job.js';
import { jobDetails, jobInputs, listJobs } from '../intake/job-view.js';
import { type SubmitJobRequest, submitJob } from '../intake/submit-job.js';
import { jobProofs } from '../verification/proofs-view.js';
import {
  auctionsReply,
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

export const jobRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
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
    app.get<ById>('/jobs/:id', byId('a job, its attempts and events', jobDetailsReply), async (req) =>
      jobDetails(ctx, req.params.id.toLowerCase()),
    );
    app.get<ById>(
      '/jobs/:id/inputs',
      byId('content-addressed inputs', jobInputsReply),
      async (req, reply) => {
        const inputs = await jobInputs(ctx, req.params.id.toLowerCase());
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
    app.post<ById>('/jobs/:id/cancel', byId('stop a job cancelled on-chain', jobStatusReply), async (req) =>
      cancelJob(ctx, req.params.id.toLowerCase()),
    );
  };
