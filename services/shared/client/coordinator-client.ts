// A small client of the coordinator's HTTP API, and the requester's flow: open the escrow on-chain,
// then submit the job's inputs.
import { hexlify, randomBytes, type Signer } from 'ethers';
import { verifierProblem } from '../chain/circuit-verifier.js';
import type { GavelContracts } from '../chain/gavel-contracts.js';
import { commitPublicInputs } from '../chain/public-inputs-commitment.js';
import { GavelError } from '../errors.js';
import { attestationDomain } from '../protocol/attestation.js';
import { inputsHash } from '../protocol/canonical-json.js';
import { REGISTER_ACTION, registrationFields } from '../protocol/circuit-registration.js';
import { signRequest } from '../protocol/request-auth.js';
import { BbBackend } from '../proving/bb-backend.js';
import {
  type AnyCircuitArtifact,
  anyContentId,
  isCircom,
  parseAnyArtifact,
} from '../proving/circuit-artifact.js';
import { prepareCircuit } from '../proving/circuit-prover.js';
import type { VerifierKind } from '../proving/honk-verifier.js';
import { itemPublicInputs } from '../proving/item-public-inputs.js';
import { PlonkBackend } from '../proving/plonk/plonk-backend.js';
import { pushToMirrors } from './mirror-client.js';

export class CoordinatorClient {
  /** `signer` signs this client's circuit registrations (its uploader). */
  constructor(
    readonly baseUrl: string,
    private readonly signer?: Signer,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
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

  /** Registers `artifact`; `verifier` picks the verifier template (default: optimized for
   *  UltraHonk, standard for PLONK). */
  async registerCircuit(
    artifact: unknown,
    opts: { verifier?: VerifierKind; deployed?: string; signer?: Signer } = {},
  ) {
    const signer = opts.signer ?? this.signer;
    if (!signer)
      throw new GavelError(
        'REQUIRES_SIGNER',
        'a circuit registration is signed by its uploader: give a signer',
      );
    const at = Date.now();
    let circuit: string;
    try {
      circuit = anyContentId(parseAnyArtifact(artifact));
    } catch {
      // Not an artifact this client can read: the coordinator names what is wrong with it.
      circuit = 'unreadable';
    }
    const fields = registrationFields({ circuit, kind: opts.verifier, deployed: opts.deployed, at });
    const signature = await signRequest(signer, REGISTER_ACTION, fields);
    const query = new URLSearchParams({
      ...(opts.verifier ? { verifier: opts.verifier } : {}),
      ...(opts.deployed ? { deployed: opts.deployed } : {}),
    }).toString();
    return this.request<{
      id: string;
      name: string;
      proofSystem: string;
      vkHash: string;
      verifier: string;
      verifierKind: string;
      gates: number;
      dyadic: number;
      created: boolean;
      verifierPaidBy: 'uploader' | 'coordinator' | null;
    }>('POST', `/v1/circuits${query ? `?${query}` : ''}`, artifact, {
      'x-gavel-at': String(at),
      'x-gavel-signature': signature,
    });
  }
  circuit(id: string) {
    return this.request<
      Record<string, unknown> & { vkHash: string; verifier: string | null; gates: number; dyadic: number }
    >('GET', `/v1/circuits/${id}`);
  }
  /** The circuit's artifact, checked to be the one its content id names. */
  async artifact(id: string): Promise<AnyCircuitArtifact> {
    const artifact = parseAnyArtifact(await this.request('GET', `/v1/circuits/${id}/artifact`));
    if (anyContentId(artifact) !== id) {
      throw new GavelError('CONTENT_MISMATCH', `circuit served for ${id} has another content id`);
    }
    return artifact;
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
  /** Tells the coordinator the requester (`signer`) cancelled job `id` on-chain. */
  async cancelled(id: string, signer: Signer) {
    const at = Date.now();
    const signature = await signRequest(signer, 'cancel job', { job: id.toLowerCase(), at });
    return this.request<{ jobId: string; status: string }>('POST', `/v1/jobs/${id}/cancel`, {
      at,
      signature,
    });
  }
}

export interface JobView {
  jobId: string;
  circuitId: string;
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
  /** Let anyone read the inputs (default: only the requester and the assigned prover). */
  public?: boolean;
  /** Watchtower mirrors to push the inputs to before the job is submitted. */
  mirrors?: string[];
  /** How many of them must sign that they hold the inputs (default: all of them). */
  mirrorsRequired?: number;
}

/**
 * Opens the escrow for a new job on-chain, then submits it to the coordinator. The escrow commits
 * to what a valid result is: the circuit's verifier (rebuilt here from the circuit and compared
 * with the deployed code) and the public inputs of every item (solved here), so the requester
 * needs no trust in anyone for them.
 */
export async function openAndSubmitJob(
  client: CoordinatorClient,
  contracts: GavelContracts,
  req: JobRequest,
): Promise<{ jobId: string; status: string }> {
  const circuit = await client.circuit(req.circuitId);
  if (!circuit.verifier) {
    throw new GavelError('NO_VERIFIER', `circuit ${req.circuitId} has no on-chain verifier on this market`);
  }
  const artifact = await client.artifact(req.circuitId);
  // The coordinator names the verifier; the requester rebuilds it from the circuit and checks.
  await assertCircuitVerifier(contracts, artifact, circuit.vkHash, circuit.verifier);
  const publicInputs = await itemPublicInputs(artifact, req.items);
  const jobId = req.jobId ?? hexlify(randomBytes(32));
  const block = await contracts.market.runner?.provider?.getBlock('latest');
  const now = Math.max(Math.floor(Date.now() / 1000), block?.timestamp ?? 0);
  const rule = req.rule ?? 'SECOND_PRICE';
  await contracts.openJob({
    jobId,
    vkHash: circuit.vkHash,
    verifier: circuit.verifier,
    inputsHash: inputsHash(req.items),
    publicInputsRoot: commitPublicInputs(publicInputs).root,
    items: req.items.length,
    deadline: now + req.deadlineIn,
    collateral: req.collateral,
    reserve: req.reserve,
    rule,
  });
  const availability = await mirrorsHolding(contracts, jobId, req);
  // The requester signs the job's terms: nobody else can submit its escrow with other terms.
  const isPublic = req.public === true;
  const terms = {
    jobId,
    circuitId: req.circuitId,
    rule,
    inputsHash: inputsHash(req.items),
    public: isPublic,
    mirrorsRequired: availability?.required ?? 0,
  };
  const signature = await signRequest(contracts.signer(), 'submit job', submitTermsText(terms));
  return client.request('POST', '/v1/jobs', {
    jobId,
    circuitId: req.circuitId,
    items: req.items,
    rule,
    public: isPublic,
    signature,
    ...(availability ? { availability } : {}),
  });
}

/**
 * Pushes the inputs of the escrow just opened to the job's mirrors and collects their signed
 * attestations. Fewer than required: the escrow is cancelled (refunded) and AVAILABILITY_SHORT says
 * which mirrors refused and why, so nothing is auctioned without the availability asked for.
 */
async function mirrorsHolding(contracts: GavelContracts, jobId: string, req: JobRequest) {
  const mirrors = req.mirrors ?? [];
  if (mirrors.length === 0) return undefined;
  const required = req.mirrorsRequired ?? mirrors.length;
  if (required < 1 || required > mirrors.length)
    throw new GavelError(
      'BAD_AVAILABILITY',
      `required mirrors must be 1..${mirrors.length}, got ${required}`,
    );
  const { chainId, market } = contracts.deployment;
  const hash = inputsHash(req.items);
  const push = await pushToMirrors(attestationDomain(chainId, market), mirrors, jobId, hash, req.items);
  if (push.attestations.length < required) {
    await contracts.cancel(jobId);
    const why = push.refused.map((r) => `${r.url}: ${r.error}`).join('; ');
    throw new GavelError(
      'AVAILABILITY_SHORT',
      `${push.attestations.length} of the ${required} mirrors required hold the inputs (${why}); the escrow of job ${jobId} was cancelled and refunded`,
    );
  }
  return { required, attestations: push.attestations };
}

const verified = new Map<string, Promise<void>>();

/** Refuses (VERIFIER_MISMATCH) a verifier that is not exactly the one this circuit's VK builds:
 *  an escrow pays for whatever its verifier accepts. Checked once per circuit and verifier. */
function assertCircuitVerifier(
  contracts: GavelContracts,
  artifact: AnyCircuitArtifact,
  vkHash: string,
  verifier: string,
): Promise<void> {
  const key = `${anyContentId(artifact)}:${verifier}:${contracts.deployment.chainId}`.toLowerCase();
  let check = verified.get(key);
  if (!check) {
    check = (async () => {
      const provider = contracts.market.runner?.provider;
      if (!provider) throw new GavelError('NO_PROVIDER', 'checking the verifier needs a chain provider');
      const backend = isCircom(artifact)
        ? await PlonkBackend.create()
        : await BbBackend.create({ kind: 'wasm', threads: 1 });
      try {
        const { vk } = await prepareCircuit(backend, artifact);
        const kinds = await contracts.verifierKinds(vkHash, verifier);
        const problem = await verifierProblem(provider, backend, vk, vkHash, verifier, kinds);
        if (problem)
          throw new GavelError(
            'VERIFIER_MISMATCH',
            `refusing to escrow for verifier ${verifier}: ${problem}`,
          );
      } finally {
        await backend.destroy();
      }
    })();
    verified.set(key, check);
    check.catch(() => verified.delete(key));
  }
  return check;
}

/** The fields of a job's terms as the requester signs them (the coordinator checks the same). */
export function submitTermsText(r: {
  jobId: string;
  circuitId: string;
  rule: string;
  inputsHash: string;
  public: boolean;
  /** Watchtowers that must hold the inputs before auction (0: none; left out of the text). */
  mirrorsRequired?: number;
}) {
  const text = {
    job: r.jobId.toLowerCase(),
    circuit: r.circuitId.toLowerCase(),
    rule: r.rule,
    inputs: r.inputsHash,
    public: r.public,
  };
  return r.mirrorsRequired ? { ...text, mirrors: r.mirrorsRequired } : text;
}
