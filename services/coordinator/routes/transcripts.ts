// /v1/jobs/:id/transcript: an attempt's auction transcript, revealed to anyone — every accepted
// bid (signed terms, digest, standing and why, Merkle proof) and the root committed on-chain at
// assignment. Watchtowers and outside clients recompute the winner and price from it.
import type { FastifyPluginAsync } from 'fastify';
import { GavelError } from '../../shared/errors.js';
import { revealTranscript } from '../auction/transcript.js';
import type { CoordinatorContext } from '../context.js';
import { anyJson, arrayOf, errorReplies, idParam, int, nullableStr, object, str } from './schemas.js';

const entryReply = object({
  bid: anyJson,
  signature: str,
  bidDigest: str,
  standing: int,
  why: str,
  receivedAt: str,
  proof: arrayOf(str),
});

const transcriptReply = object({
  jobId: str,
  attempt: int,
  root: str,
  committedRoot: nullableStr,
  rule: str,
  winner: nullableStr,
  priceWei: nullableStr,
  entries: arrayOf(entryReply),
});

interface TranscriptRequest {
  Params: { id: string };
  Querystring: { attempt?: number };
}

export const transcriptRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get<TranscriptRequest>(
      '/jobs/:id/transcript',
      {
        schema: {
          summary:
            "an attempt's auction transcript (default: the latest awarded attempt): every accepted bid with its standing and Merkle proof, and the root committed on-chain",
          params: idParam,
          querystring: { type: 'object', properties: { attempt: { type: 'integer', minimum: 0 } } },
          response: { 200: transcriptReply, ...errorReplies },
        },
      },
      async (req) => {
        const jobId = req.params.id.toLowerCase();
        const attempt =
          req.query.attempt ??
          (
            await ctx.prisma.auction.findFirst({
              where: { jobId, transcriptRoot: { not: null } },
              orderBy: { attempt: 'desc' },
            })
          )?.attempt;
        const transcript =
          attempt === undefined ? undefined : await revealTranscript(ctx.prisma, ctx.domain, jobId, attempt);
        if (!transcript) {
          throw new GavelError(
            'NO_TRANSCRIPT',
            `job ${jobId} has no awarded auction${attempt === undefined ? '' : ` for attempt ${attempt}`}`,
          );
        }
        return transcript;
      },
    );
  };
