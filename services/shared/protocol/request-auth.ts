// Signed HTTP requests (EIP-191 over a short readable text): who may submit a job's terms, read its
// private inputs or cancel it is decided by the signature, not by who asks.
import { type Signer, verifyMessage } from 'ethers';
import { GavelError } from '../errors.js';

export type RequestFields = Record<string, string | number | boolean>;

/** The text signed for `action`, one `key: value` line per field in the order given. */
export function requestText(action: string, fields: RequestFields): string {
  return [`Gavel ${action}`, ...Object.entries(fields).map(([k, v]) => `${k}: ${String(v)}`)].join('\n');
}

export function signRequest(signer: Signer, action: string, fields: RequestFields): Promise<string> {
  return signer.signMessage(requestText(action, fields));
}

/** The address (lowercase) that signed `action` over `fields`; BAD_SIGNATURE when none does. */
export function requestSigner(action: string, fields: RequestFields, signature: string | undefined): string {
  if (!signature) throw new GavelError('MISSING_SIGNATURE', `this request must be signed (${action})`);
  try {
    return verifyMessage(requestText(action, fields), signature).toLowerCase();
  } catch (cause) {
    throw new GavelError('BAD_SIGNATURE', 'the request signature is malformed', { cause });
  }
}

/** Signed requests carry their time: one older (or newer) than this is refused. */
export const REQUEST_MAX_SKEW_MS = 5 * 60_000;

/** STALE_REQUEST unless `at` (epoch ms) is within REQUEST_MAX_SKEW_MS of now. */
export function assertFresh(at: number, now = Date.now()): void {
  if (!Number.isFinite(at) || Math.abs(now - at) > REQUEST_MAX_SKEW_MS) {
    throw new GavelError('STALE_REQUEST', `the request was signed at ${at}, more than 5 minutes from now`);
  }
}

/** A signed read as its HTTP headers carry it: x-gavel-at (epoch ms), x-gavel-signature, and, from
 *  a prover, x-gavel-attempt (the attempt its award is for). */
export function signedReadOf(headers: Record<string, string | string[] | undefined>) {
  const signature = headers['x-gavel-signature'];
  const attempt = Number(headers['x-gavel-attempt']);
  return {
    at: Number(headers['x-gavel-at']),
    signature: typeof signature === 'string' ? signature : undefined,
    attempt: headers['x-gavel-attempt'] !== undefined && Number.isInteger(attempt) ? attempt : undefined,
  };
}
