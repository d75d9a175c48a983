// Fetching an award's circuit and inputs from the coordinator, checked against their content
// hashes: the circuit id is the hash of the artifact, and the inputs must match the hash the
// requester committed on-chain.
import { GavelError } from '../../shared/errors.js';
import { inputsHash } from '../../shared/protocol/canonical-json.js';
import {
  type CircuitArtifact,
  circuitContentId,
  parseCircuitArtifact,
} from '../../shared/proving/circuit-artifact.js';

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new GavelError('FETCH_FAILED', `GET ${url} answered ${res.status}`);
  return res.json();
}

export async function fetchCircuit(coordinatorUrl: string, circuitId: string): Promise<CircuitArtifact> {
  const artifact = parseCircuitArtifact(await getJson(`${coordinatorUrl}/v1/circuits/${circuitId}/artifact`));
  if (circuitContentId(artifact) !== circuitId) {
    throw new GavelError('CONTENT_MISMATCH', `circuit served for ${circuitId} has another content id`);
  }
  return artifact;
}

export async function fetchInputs(
  coordinatorUrl: string,
  jobId: string,
  expectedHash: string,
): Promise<unknown[]> {
  const body = (await getJson(`${coordinatorUrl}/v1/jobs/${jobId}/inputs`)) as { items?: unknown };
  if (!Array.isArray(body.items))
    throw new GavelError('FETCH_FAILED', `inputs of job ${jobId} are malformed`);
  const hash = inputsHash(body.items);
  if (hash.toLowerCase() !== expectedHash.toLowerCase()) {
    throw new GavelError(
      'CONTENT_MISMATCH',
      `inputs of job ${jobId} hash to ${hash}, not the committed ${expectedHash}`,
    );
  }
  return body.items;
}
