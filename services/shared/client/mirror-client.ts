// A requester's side of inputs availability: push a job's inputs to watchtower mirrors and collect
// their signed InputsHeld attestations (each checked here: signed by the watchtower it names, about
// these inputs), so the job can require them before it is auctioned.
import type { TypedDataDomain } from 'ethers';
import { errorMessage } from '../errors.js';
import {
  checkAvailability,
  parseInputsHeld,
  type SignedInputsHeld,
} from '../protocol/inputs-availability.js';

export interface MirrorPush {
  attestations: SignedInputsHeld[];
  /** Mirrors that did not attest, and why. */
  refused: { url: string; error: string }[];
}

async function pushOne(url: string, jobId: string, items: unknown[]): Promise<SignedInputsHeld> {
  const base = url.replace(/\/$/, '');
  const res = await fetch(`${base}/v1/jobs/${jobId}/inputs`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json().catch(() => ({}))) as {
    attestation?: Record<string, unknown>;
    error?: { code?: string; message?: string };
  };
  if (!res.ok)
    throw new Error(`${res.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}`.trim());
  return parseInputsHeld(body.attestation);
}

/** Pushes `items` to every mirror at once; keeps each attestation that checks out. */
export async function pushToMirrors(
  domain: TypedDataDomain,
  mirrors: string[],
  jobId: string,
  inputsHash: string,
  items: unknown[],
): Promise<MirrorPush> {
  const push: MirrorPush = { attestations: [], refused: [] };
  await Promise.all(
    mirrors.map(async (url) => {
      try {
        const attestation = await pushOne(url, jobId, items);
        checkAvailability(domain, jobId, inputsHash, 1, [attestation]);
        push.attestations.push(attestation);
      } catch (err) {
        push.refused.push({ url, error: errorMessage(err) });
      }
    }),
  );
  return push;
}
