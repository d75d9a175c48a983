// The watchtower's HTTP API: its metrics, the receipts provers file with it, its audit verdicts, its
// signed attestations (anyone can read which jobs it checked and what it found), and its inputs
// mirror (mirror-routes.ts).
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { GavelError } from '../shared/errors.js';
import type { AuctionAuditor, HeldReceipt } from './audit/auction-auditor.js';
import type { Diligence } from './diligence/diligence.js';
import type { WatchtowerMetrics } from './metrics.js';
import type { InputsMirror } from './mirror/inputs-mirror.js';
import { MIRROR_STATUS, mirrorRoutes } from './mirror/mirror-routes.js';

/** A receipt filing is a bid and a receipt: a few hundred bytes. */
const MAX_BODY = 16 * 1024;
/** Receipts kept at most (they are dropped with their attempt's audit in a longer-running design). */
const MAX_RECEIPTS = 200_000;

const STATUS: Record<string, number> = {
  ...MIRROR_STATUS,
  BAD_RECEIPT: 400,
  BAD_SIGNATURE: 401,
  NOT_COORDINATOR: 403,
  FULL: 503,
};

export interface WatchtowerApi {
  url: string;
  close(): Promise<void>;
}

export async function serveApi(
  port: number,
  host: string,
  deps: {
    metrics: WatchtowerMetrics;
    auditor: Pick<AuctionAuditor, 'holds' | 'holdReceipt' | 'list' | 'verdictOf'>;
    diligence: Diligence;
    mirror: InputsMirror;
    rateLimitPerMin: number;
    receiptFrom: (body: Uint8Array) => Promise<HeldReceipt>;
    /** Keeps a newly held receipt's filing (on disk, so a restart still holds it). */
    keepReceipt?: (body: Uint8Array) => void;
    /** Receipts held already when the API starts (reloaded from disk). */
    heldAtStart?: number;
    /** Receipts held at most (default MAX_RECEIPTS). */
    maxReceipts?: number;
  },
): Promise<WatchtowerApi> {
  const maxReceipts = deps.maxReceipts ?? MAX_RECEIPTS;
  const app: FastifyInstance = Fastify({ bodyLimit: MAX_BODY });
  // Per client address: a public watchtower answers anyone.
  if (deps.rateLimitPerMin > 0)
    await app.register(rateLimit, { max: deps.rateLimitPerMin, timeWindow: 60_000 });
  let held = deps.heldAtStart ?? 0;
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, _req, reply) => {
    const statusCode = (err as { statusCode?: number }).statusCode;
    const code =
      err instanceof GavelError
        ? err.code
        : statusCode === 429
          ? 'RATE_LIMITED'
          : ((err as { code?: string }).code ?? 'ERROR');
    const status = STATUS[code] ?? statusCode ?? 500;
    void reply.status(status).send({ error: { code, message: (err as Error).message } });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.post('/v1/receipts', async (req, reply) => {
    const body = new Uint8Array(req.body as Buffer);
    const receipt = await deps.receiptFrom(body);
    // Only a receipt not held yet takes room: filing one receipt over and over fills nothing.
    if (!deps.auditor.holds(receipt) && held >= maxReceipts)
      throw new GavelError('FULL', 'this watchtower holds all the receipts it can');
    if (await deps.auditor.holdReceipt(receipt)) {
      held++;
      deps.keepReceipt?.(body);
    }
    return reply.status(202).send({ held: true, bidDigest: receipt.bidDigest });
  });
  app.get('/v1/audits', async () => ({ audits: deps.auditor.list() }));
  app.get<{ Params: { jobId: string } }>('/v1/audits/:jobId', async (req, reply) => {
    const verdict = deps.auditor.verdictOf(req.params.jobId);
    if (!verdict)
      return reply
        .status(404)
        .send({ error: { code: 'NOT_AUDITED', message: `no audit of job ${req.params.jobId}` } });
    return verdict;
  });
  app.get('/v1/attestations', async () => ({ attestations: deps.diligence.list() }));
  app.get<{ Params: { jobId: string } }>('/v1/attestations/:jobId', async (req, reply) => {
    const signed = deps.diligence.of(req.params.jobId);
    if (signed.length === 0)
      return reply
        .status(404)
        .send({ error: { code: 'NOT_ATTESTED', message: `no attestation of job ${req.params.jobId}` } });
    return { attestations: signed };
  });
  mirrorRoutes(app, deps.mirror);
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host}:${bound}`, close: () => app.close() };
}
