// The mirror's HTTP routes: requesters (or anyone) push a job's inputs and get the watchtower's
// signed InputsHeld; the requester and the assigned prover read them back with a signed read, as
// from the coordinator; assigned provers file inputs faults, which anyone can read.
import type { FastifyInstance } from 'fastify';
import { GavelError } from '../../shared/errors.js';
import { signedReadOf } from '../../shared/protocol/request-auth.js';
import { type InputsMirror, MAX_INPUTS_BYTES } from './inputs-mirror.js';

/** HTTP statuses of the mirror's errors. */
export const MIRROR_STATUS: Record<string, number> = {
  BAD_JOB_ID: 400,
  BAD_INPUTS: 400,
  BAD_MESSAGE: 400,
  BAD_FAULT: 400,
  MISSING_SIGNATURE: 401,
  STALE_REQUEST: 401,
  NOT_ASSIGNED: 403,
  ESCROW_NOT_FOUND: 404,
  NOT_MIRRORED: 404,
  INPUTS_MISMATCH: 409,
  JOB_OVER: 409,
  ATTEMPT_OVER: 403,
  NOT_SERVING: 503,
  RESERVE_TOO_LOW: 402,
  QUOTA_EXCEEDED: 429,
};

const JOB_ID = /^0x[0-9a-fA-F]{64}$/;

function jobIdOf(raw: string): string {
  if (!JOB_ID.test(raw))
    throw new GavelError('BAD_JOB_ID', `${raw.slice(0, 80)} is not a job id (0x + 64 hex)`);
  return raw.toLowerCase();
}

type ByJob = { Params: { jobId: string } };

export function mirrorRoutes(app: FastifyInstance, mirror: InputsMirror): void {
  app.put<ByJob>('/v1/jobs/:jobId/inputs', { bodyLimit: MAX_INPUTS_BYTES }, async (req) => {
    const jobId = jobIdOf(req.params.jobId);
    return { attestation: await mirror.hold(jobId, new Uint8Array(req.body as Buffer)) };
  });
  app.get<ByJob>('/v1/jobs/:jobId/inputs', async (req, reply) => {
    const inputs = await mirror.serve(jobIdOf(req.params.jobId), signedReadOf(req.headers));
    reply.header('x-gavel-inputs-hash', inputs.inputsHash);
    return inputs;
  });
  app.post('/v1/inputs-faults', async (req, reply) => {
    const fault = await mirror.fileFault(new Uint8Array(req.body as Buffer));
    return reply.status(202).send({ held: true, fault });
  });
  app.get('/v1/inputs-faults', async () => ({ faults: mirror.faultsOf() }));
  app.get<ByJob>('/v1/inputs-faults/:jobId', async (req) => ({
    faults: mirror.faultsOf(jobIdOf(req.params.jobId)),
  }));
}
