// Domain error codes → HTTP status codes, in one table.
import { GavelError } from '../shared/errors.js';

const STATUS: Record<string, number> = {
  INVALID_INPUTS: 422,
  UNSATISFIED_CIRCUIT: 422,
  INVALID_ARTIFACT: 400,
  BAD_REQUEST: 400,
  CRS_TOO_SMALL: 422,
  UNKNOWN_CIRCUIT: 404,
  UNKNOWN_JOB: 404,
  JOB_EXISTS: 409,
  ESCROW_NOT_FOUND: 409,
  ESCROW_MISMATCH: 409,
  PAST_DEADLINE: 422,
  TOO_MANY_ITEMS: 413,
  NOT_CANCELLED: 409,
  NOT_READY: 409,
};

export function httpStatusOf(err: unknown): number {
  if (err instanceof GavelError) return STATUS[err.code] ?? 400;
  const e = err as { statusCode?: number };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return e.statusCode;
  return 500;
}

/** A 4xx error raised by a route. */
export function requestError(code: string, message: string, details?: Record<string, unknown>): GavelError {
  return new GavelError(code, message, details ? { details } : {});
}
