import type { FastifyPluginAsync } from 'fastify';
import { bidDomain, recoverBidSigner } from '../../shared/protocol/bid-signing.js';
import type { CoordinatorContext } from '../context.js';
import { requestError } from '../http-errors.js';
import { type SubmitJobRequest, submitJob } from '../intake/submit-job.js';
import { moveJob } from '../lifecycle/job-transitions.js';

const HEX32 = '^0x[0-9a-fA-F]{64}$';
const jobParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: HEX32 } },
} as const;
const STATUSES = [
  'OPEN',
  'AUCTIONING',
  'ASSIGNED',
  'PROVING',
  'VERIFYING',
  'SETTLED',
  'FAILED_ATTEMPT',
  'EXPIRED',
  'CANCELLED',
];

export const jobRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.post<{ Body: SubmitJobRequest }>(
      '/jobs',
      {
        schema: {
          body: {
            type: 'object',
            required: ['jobId', 'circuitId', 'items'],
            additionalProperties: false,
            properties: {
              jobId: { type: 'string', pattern: HEX32 },
              circuitId: { type: 'string', pattern: HEX32 },
              items: { type: 'array', minItems: 1, items: { type: 'object' } },
              rule: { type: 'string', enum: ['SECOND_PRICE', 'FIRST_PRICE'] },
            },
          },
        },
      },
      async (req, reply) => {
        const out = await submitJob(ctx, req.body);
        if (out.created) ctx.kick.announce();
        ctx.log.info({ jobId: out.jobId, created: out.created }, 'job submitted');
        return reply.status(out.created ? 202 : 200).send(out);
      },
    );

    app.get<{ Querystring: { status?: string; limit?: number } }>(
      '/jobs',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: STATUSES },
              limit: { type: 'integer', minimum: 1, maximum: 500 },
            },
          },
        },
      },
      async (req) => {
        const jobs = await ctx.prisma.job.findMany({
          where: req.query.status ? { status: req.query.status as never } : {},
          orderBy: { createdAt: 'desc' },
          take: req.query.limit ?? 50,
          include: { _count: { select: { items: true } } },
        });
        return {
          jobs: jobs.map((j) => ({
            jobId: j.id,
            status: j.status,
            circuitId: j.circuitId,
            items: j._count.items,
            winner: j.winner,
            clearingPriceWei: j.clearingPriceWei,
            deadline: j.deadline,
            createdAt: j.createdAt,
          })),
        };
      },
    );

    app.get<{ Params: { id: string } }>('/jobs/:id', { schema: { params: jobParam } }, async (req) => {
      const id = req.params.id.toLowerCase();
      const job = await ctx.prisma.job.findUnique({
        where: { id },
        include: {
          events: { orderBy: { id: 'asc' } },
          assignments: { orderBy: { attempt: 'asc' } },
          settlement: true,
          _count: { select: { items: true, proofs: true } },
        },
      });
      if (!job) throw requestError('UNKNOWN_JOB', `no job ${id}`);
      return {
        jobId: job.id,
        status: job.status,
        circuitId: job.circuitId,
        requester: job.requester,
        rule: job.rule,
        reserveWei: job.reserveWei,
        collateralWei: job.collateralWei,
        deadline: job.deadline,
        attempt: job.attempt,
        items: job._count.items,
        verifiedProofs: job._count.proofs,
        winner: job.winner,
        clearingPriceWei: job.clearingPriceWei,
        failureReason: job.failureReason,
        assignments: job.assignments.map((a) => ({
          attempt: a.attempt,
          prover: a.prover,
          priceWei: a.priceWei,
          status: a.status,
          progress: a.progress,
        })),
        settlement: job.settlement,
        events: job.events.map((e) => ({ from: e.from, to: e.to, reason: e.reason, at: e.at })),
      };
    });

    // Content-addressed inputs: provers check the hash against the one committed on-chain.
    app.get<{ Params: { id: string } }>(
      '/jobs/:id/inputs',
      { schema: { params: jobParam } },
      async (req, reply) => {
        const id = req.params.id.toLowerCase();
        const job = await ctx.prisma.job.findUnique({
          where: { id },
          include: { items: { orderBy: { index: 'asc' } } },
        });
        if (!job) throw requestError('UNKNOWN_JOB', `no job ${id}`);
        reply.header('x-gavel-inputs-hash', job.inputsHash);
        return { jobId: id, inputsHash: job.inputsHash, items: job.items.map((i) => i.inputs) };
      },
    );

    // Proofs in the form the bb CLI verifies (proof, public inputs, VK), once the job is settled.
    app.get<{ Params: { id: string } }>('/jobs/:id/proofs', { schema: { params: jobParam } }, async (req) => {
      const id = req.params.id.toLowerCase();
      const job = await ctx.prisma.job.findUnique({
        where: { id },
        include: { circuit: true, proofs: { orderBy: { itemIndex: 'asc' } } },
      });
      if (!job) throw requestError('UNKNOWN_JOB', `no job ${id}`);
      if (job.status !== 'SETTLED' && job.status !== 'VERIFYING') {
        throw requestError('NOT_READY', `job ${id} is ${job.status}; proofs are served once verified`);
      }
      return {
        jobId: id,
        circuitId: job.circuitId,
        vk: Buffer.from(job.circuit.vk).toString('base64'),
        proofs: job.proofs.map((p) => ({
          item: p.itemIndex,
          prover: p.prover,
          proof: Buffer.from(p.proof).toString('base64'),
          publicInputs: p.publicInputs,
        })),
      };
    });

    // Every auction of the job with all bids revealed — only after the auction closed.
    app.get<{ Params: { id: string } }>(
      '/jobs/:id/auctions',
      { schema: { params: jobParam } },
      async (req) => {
        const id = req.params.id.toLowerCase();
        const auctions = await ctx.prisma.auction.findMany({
          where: { jobId: id },
          orderBy: [{ attempt: 'asc' }, { round: 'asc' }],
          include: { bids: { orderBy: { receivedAt: 'asc' } } },
        });
        const domain = ctx.domain;
        return {
          jobId: id,
          domain: { ...domain, chainId: Number(domain.chainId) },
          auctions: auctions.map((a) => {
            const closed = a.status !== 'OPEN';
            return {
              attempt: a.attempt,
              round: a.round,
              rule: a.rule,
              status: a.status,
              opensAt: a.opensAt,
              closesAt: a.closesAt,
              winner: a.winner,
              clearingPriceWei: a.clearingPriceWei,
              bidCount: a.bids.length,
              bids: closed
                ? a.bids.map((b) => {
                    const terms = {
                      jobId: id,
                      attempt: a.attempt,
                      price: BigInt(b.priceWei),
                      prover: b.prover,
                      expiry: b.expiry,
                      nonce: BigInt(b.nonce),
                    };
                    const signer = recoverBidSigner(
                      bidDomain(Number(domain.chainId), String(domain.verifyingContract)),
                      terms,
                      b.signature,
                    );
                    return {
                      prover: b.prover,
                      priceWei: b.priceWei,
                      nonce: b.nonce,
                      expiry: b.expiry,
                      signature: b.signature,
                      receivedAt: b.receivedAt,
                      signatureValid: signer?.toLowerCase() === b.prover,
                    };
                  })
                : [],
            };
          }),
        };
      },
    );

    // The requester cancelled on-chain; the coordinator checks the chain and stops the job.
    app.post<{ Params: { id: string } }>(
      '/jobs/:id/cancel',
      { schema: { params: jobParam } },
      async (req) => {
        const id = req.params.id.toLowerCase();
        const job = await ctx.prisma.job.findUnique({ where: { id } });
        if (!job) throw requestError('UNKNOWN_JOB', `no job ${id}`);
        const onChain = await ctx.chain.job(id);
        if (onChain.status !== 'Cancelled') {
          throw requestError(
            'NOT_CANCELLED',
            `job ${id} is ${onChain.status} on-chain; cancel it with Market.cancel first`,
          );
        }
        await ctx.prisma.$transaction((tx) =>
          moveJob(tx, id, ['OPEN', 'AUCTIONING', 'ASSIGNED'], 'CANCELLED', 'cancelled by requester'),
        );
        return { jobId: id, status: 'CANCELLED' };
      },
    );
  };
