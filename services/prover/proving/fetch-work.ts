// Fetching an award's circuit and inputs from the coordinator, checked against their content
// hashes: the circuit id is the hash of the artifact, and the inputs must match the hash the
// requester committed on-chain.
import type { Signer } from 'ethers';
import { GavelError } from '../../shared/errors.js';
import { inputsHash } from '../../shared/protocol/canonical-json.js';
import { signRequest } from '../../shared/protocol/request-auth.js';
import {
  type AnyCircuitArtifact,
  anyContentId,
  parseAnyArtifact,
} from '../../shared/proving/circuit-artifact.js';
import { retry, stillBefore } from '../../shared/retry.js';

/** Statuses of a gateway in front of coordinator replicas whose replica died or is starting. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  } catch (cause) {
    throw new GavelError('COORDINATOR_UNREACHABLE', `GET ${url} failed: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (GATEWAY_STATUSES.has(res.status)) {
    throw new GavelError(
      'COORDINATOR_UNREACHABLE',
      `GET ${url} answered ${res.status} (no replica answered)`,
    );
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    const code = body.error?.code ?? 'FETCH_FAILED';
    throw new GavelError(
      code,
      `GET ${url} answered ${res.status}${body.error?.message ? `: ${body.error.message}` : ''}`,
    );
  }
  return res.json();
}

/** How long a prover keeps asking for inputs while the coordinator is still writing its award, or
 *  while no coordinator replica answers (one died; the balancer or a restart brings another). */
const AWARD_PENDING_MS = 15_000;
/** Answers worth asking again within AWARD_PENDING_MS. */
const ASK_AGAIN = new Set(['AWARD_PENDING', 'NOT_ASSIGNED', 'COORDINATOR_UNREACHABLE']);

export async function fetchCircuit(coordinatorUrl: string, circuitId: string): Promise<AnyCircuitArtifact> {
  const artifact = parseAnyArtifact(await getJson(`${coordinatorUrl}/v1/circuits/${circuitId}/artifact`));
  if (anyContentId(artifact) !== circuitId) {
    throw new GavelError('CONTENT_MISMATCH', `circuit served for ${circuitId} has another content id`);
  }
  return artifact;
}

/** A job's inputs from `coordinatorUrl` (a coordinator, or a watchtower mirror: both serve the same
 *  route), read with a request signed by `reader` (the prover awarded `attempt`, or the requester),
 *  checked against `expectedHash` (the hash committed on-chain). */
export async function fetchInputs(
  coordinatorUrl: string,
  jobId: string,
  expectedHash: string,
  reader: Signer,
  attempt?: number,
): Promise<unknown[]> {
  const url = `${coordinatorUrl}/v1/jobs/${jobId}/inputs`;
  const until = Date.now() + AWARD_PENDING_MS;
  // The award may be seconds ahead of the coordinator's commit (or of its restart), or the replica
  // asked may have just died: ask again, signing each request anew.
  const body = (await retry(
    async () => {
      const at = Date.now();
      const signature = await signRequest(reader, 'read inputs', { job: jobId.toLowerCase(), at });
      const headers: Record<string, string> = { 'x-gavel-at': String(at), 'x-gavel-signature': signature };
      if (attempt !== undefined) headers['x-gavel-attempt'] = String(attempt);
      return getJson(url, headers);
    },
    {
      shouldRetry: (err) => err instanceof GavelError && ASK_AGAIN.has(err.code) && stillBefore(until),
      delayMs: 250,
    },
  )) as { items?: unknown };
  if (!Array.isArray(body.items))
    throw new GavelError('FETCH_FAILED', `inputs of job ${jobId} are malformed`);
  const hash = inputsHash(body.items);
  if (hash.toLowerCase() !== expectedHash.toLowerCase()) {
    throw new GavelError(
      'CONTENT_MISMATCH',
      `inputs of job ${jobId} hash to ${hash}, not the committed ${expectedHash}`,
      { details: { servedHash: hash.toLowerCase() } },
    );
  }
  return body.items;
}
