// Domain error codes → HTTP status codes, in one table. A code not in the table is an error of
// ours (500, details hidden), never blamed on the request.
import { GavelError } from '../../shared/errors.js';

const STATUS: Record<string, number> = {
  INVALID_INPUTS: 422,
  UNSATISFIED_CIRCUIT: 422,
  INVALID_ARTIFACT: 400,
  INVALID_VK: 422,
  UNSUPPORTED_PROOF_SYSTEM: 422,
  PUBLIC_INPUTS_MISMATCH: 422,
  INVALID_PUBLIC_INPUTS: 400,
  BAD_REQUEST: 400,
  CRS_TOO_SMALL: 422,
  UNKNOWN_CIRCUIT: 404,
  UNKNOWN_JOB: 404,
  NO_TRANSCRIPT: 404,
  JOB_EXISTS: 409,
  ESCROW_NOT_FOUND: 409,
  ESCROW_MISMATCH: 409,
  PAST_DEADLINE: 422,
  TOO_MANY_ITEMS: 413,
  NOT_CANCELLED: 409,
  NOT_READY: 409,
  ARTIFACT_TOO_LARGE: 413,
  CIRCUIT_TOO_LARGE: 413,
  REGISTRATION_TIMEOUT: 422,
  PTAU_MISSING: 422,
  DEV_PTAU: 422,
  PTAU_TOO_SMALL: 422,
  PLONK_SETUP_FAILED: 422,
  NO_PLONK: 422,
  STALE_REQUEST: 401,
  BAD_SIGNATURE: 401,
  NOT_REGISTERED: 403,
  NO_STAKE: 403,
  MISSING_SIGNATURE: 401,
  NOT_REQUESTER: 403,
  NOT_ASSIGNED: 403,
  ATTEMPT_OVER: 403,
  AWARD_PENDING: 409,
  AVAILABILITY_SHORT: 422,
  BAD_ATTESTATION: 400,
  VERIFIER_KIND_UNSUPPORTED: 422,
  VERIFIER_NOT_PAID: 402,
  VERIFIER_NOT_REGISTERED: 422,
  UPLOADED_VERIFIER_MISMATCH: 422,
};

/** Codes that are never a request's fault: an error of ours (configuration, chain, NATS, our own
 *  deployments) or of another program (the CLI, the client), answered 500 with details hidden. A
 *  code thrown anywhere must be in STATUS or here (error-mapping.test.ts keeps it so). */
export const OUR_FAULT = new Set([
  'BAD_AVAILABILITY',
  'BAD_DEPLOYMENT',
  'BAD_NATS_CREDS',
  'BAD_RESPONSE',
  'BAD_TRANSITION',
  'CONTENT_MISMATCH',
  'CONTRACTS_NOT_BUILT',
  'CONTRACT_CALL_FAILED',
  'COORDINATOR_UNREACHABLE',
  'HELLO_UNANSWERED',
  'INSUFFICIENT_FUNDS',
  'INVALID_ARGUMENT',
  'INVALID_PROOF',
  'INVALID_PTAU',
  'NATS_CREDENTIALS_REFUSED',
  'NATS_UNAVAILABLE',
  'NOT_COORDINATOR',
  'NO_DEPLOYMENT',
  'NO_NATIVE_BB',
  'NO_PROVIDER',
  'NO_RECEIPT',
  'NO_VERIFIER',
  'OLD_WORK_STREAM',
  'OUT_OF_GAS',
  'REQUIRES_SIGNER',
  'REQUIRES_PROVIDER',
  'RPC_FAILED',
  'VERIFIER_COMPILE_FAILED',
  'VERIFIER_LINK_FAILED',
  'VERIFIER_MISMATCH',
  'VERIFIER_KIND_MISMATCH',
]);

/** The HTTP status of an error thrown by a stage or by Fastify itself. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof GavelError) return STATUS[err.code] ?? 500;
  const e = err as { statusCode?: number };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return e.statusCode;
  return 500;
}

/** The Gavel error code a 4xx reply carries: a domain code, or one for Fastify's own refusals. */
export function errorCodeOf(err: unknown, status: number): string {
  if (err instanceof GavelError) return err.code;
  if ((err as { validation?: unknown }).validation) return 'BAD_REQUEST';
  if (status === 413) return 'TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 404) return 'NOT_FOUND';
  return 'BAD_REQUEST';
}
