// A small client of the coordinator's HTTP API, and the requester's flow: open the escrow on-chain,
// then submit the job's inputs.
import { hexlify, randomBytes } from 'ethers';
import type { GavelContracts } from '../chain/gavel-contracts.js';
import { GavelError } from '../errors.js';
import { inputsHash } from '../protocol/canonical-json.js';

export class CoordinatorClient {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (cause) {
      throw new GavelError('COORDINATOR_UNREACHABLE', `cannot reach the coordinator at ${this.baseUrl}`, {
        cause,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new GavelError('BAD_RESPONSE', `coordinator answered ${res.status} with non-JSON`);
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
        .error;
      throw new GavelError(
        e?.code ?? `HTTP_${res.status}`,
        e?.message ?? `coordinator answered ${res.status}`,
        {
          ...(e?.details ? { details: e.details } : {}),
        },
      );
    }
    return json as T;
  }

  registerCircuit(artifact: unknown) {
    return this.request<{
      id: string;
      name: string;
      vkHash: string;
      gates: number;
      dyadic: number;
      created: boolean;
    }>('POST', '/v1/circuits', artifact);
  }
  circuit(id: string) {
    return this.request<Record<string, unknown> & { vkHash: string; gates: number; dyadic: number }>(
      'GET',
      `/v1/circuits/${id}`,
    );
  }
  job(id: string) {
    return this.request<JobView>('GET', `/v1/jobs/${id}`);
  }
  jobs(status?: string) {
    return this.request<{ jobs: JobView[] }>('GET', `/v1/jobs${status ? `?status=${status}` : ''}`);
  }
  proofs(id: string) {
    return this.request<ProofsView>('GET', `/v1/jobs/${id}/proofs`);
  }
  auctions(id: string) {
    return this.request<AuctionsView>('GET', `/v1/jobs/${id}/auctions`);
  }
  provers() {
    return this.request<{ provers: Record<string, unknown>[] }>('GET', '/v1/provers');
  }
  cancelled(id: string) {
    return this.request<{ jobId: string; status: string }>('POST', `/v1/jobs/${id}/cancel`);
  }
}

export interface JobView {
  jobId: string;
  status: string;
  items: number;
  verifiedProofs: number;
  winner: string | null;
  clearingPriceWei: string | null;
  deadline: string;
  attempt: number;
  failureReason: string | null;
  assignments: { attempt: number; prover: string; priceWei: string; status: string; progress: number }[];
  events: { from: string | null; to: string; reason: string | null; at: string }[];
}

export interface ProofsView {
  jobId: string;
  circuitId: string;
  vk: string;
  proofs: { item: number; prover: string; proof: string; publicInputs: string[] }[];
}

export interface AuctionsView {
  jobId: string;
  auctions: {
    attempt: number;
    round: number;
    rule: string;
    status: string;
    winner: string | null;
    clearingPriceWei: string | null;
    /** Null while the round is open: a sealed auction shows nothing of its bids. */
    bidCount: number | null;
    bids: {
      prover: string;
      priceWei: string;
      signature: string;
      signatureValid: boolean;
      nonce: string;
      expiry: number;
    }[];
  }[];
}

export interface JobRequest {
  circuitId: string;
  items: Record<string, unknown>[];
  reserve: bigint;
  collateral: bigint;
  /** Seconds from now. */
  deadlineIn: number;
  rule?: 'SECOND_PRICE' | 'FIRST_PRICE';
  jobId?: string;
}

/** Opens the escrow for a new job on-chain, then submits it to the coordinator. */
export async function openAndSubmitJob(
  client: CoordinatorClient,
  contracts: GavelContracts,
  req: JobRequest,
): Promise<{ jobId: string; status: string }> {
  const circuit = await client.circuit(req.circuitId);
  const jobId = req.jobId ?? hexlify(randomBytes(32));
  const block = await contracts.market.runner?.provider?.getBlock('latest');
  const now = Math.max(Math.floor(Date.now() / 1000), block?.timestamp ?? 0);
  await contracts.openJob({
    jobId,
    vkHash: circuit.vkHash,
    inputsHash: inputsHash(req.items),
    deadline: now + req.deadlineIn,
    collateral: req.collateral,
    reserve: req.reserve,
  });
  return client.request('POST', '/v1/jobs', {
    jobId,
    circuitId: req.circuitId,
    items: req.items,
    ...(req.rule ? { rule: req.rule } : {}),
  });
}
