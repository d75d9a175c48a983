// Circuit registration: an uploaded artifact (Noir for UltraHonk, circom for PLONK), signed by its
// uploader, becomes a content-addressed circuit with its VK and its on-chain verifier (registered
// under the VK's hash): a known VK's, or a new one paid for by the uploader (deployed by it and
// named) or, for an uploader this coordinator sponsors, deployed from the coordinator's key.
import { getAddress, keccak256 } from 'ethers';
import {
  compileVerifier,
  deployAndRegisterVerifier,
  verifierMismatch,
} from '../../shared/chain/circuit-verifier.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { PrismaClient } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import { REGISTER_ACTION, registrationFields } from '../../shared/protocol/circuit-registration.js';
import { assertFresh, requestSigner } from '../../shared/protocol/request-auth.js';
import type { ProofSystem, ProvingBackend } from '../../shared/proving/backend.js';
import {
  type AnyCircuitArtifact,
  anyContentId,
  isCircom,
  parseAnyArtifact,
  programOf,
  proofSystemOf,
} from '../../shared/proving/circuit-artifact.js';
import { prepareCircuit } from '../../shared/proving/circuit-prover.js';
import type { VerifierKind } from '../../shared/proving/honk-verifier.js';
import { ptauByHash } from '../../shared/proving/plonk/ptau.js';
import type { IntakeBackend } from './intake-backend.js';

export interface RegisteredCircuit {
  id: string;
  name: string;
  proofSystem: ProofSystem;
  vkHash: string;
  verifier: string;
  verifierKind: VerifierKind;
  gates: number;
  dyadic: number;
  created: boolean;
  /** Who paid for a verifier this registration deployed; null: the verifier was already there. */
  verifierPaidBy: 'uploader' | 'coordinator' | null;
}

export interface UploadLimits {
  maxAcirBytes: number;
  maxGates: number;
  timeoutMs: number;
  /** Accept PLONK circuits set up from the development ptau (local development only). */
  allowDevPtau: boolean;
  /** Uploaders (lowercase) whose new verifiers the coordinator deploys at its own cost. */
  sponsoredUploaders: string[];
}

/** A registration as its uploader signed it: the template asked for, the verifier the uploader
 *  deployed and registered itself (if it paid for one), and the signature over both. */
export interface RegistrationRequest {
  kind?: VerifierKind;
  deployed?: string;
  at: number;
  signature?: string;
}

/** The uploader (lowercase) that signed `request` for `artifact`: MISSING_SIGNATURE, BAD_SIGNATURE
 *  or STALE_REQUEST otherwise. */
export function uploaderOf(artifact: AnyCircuitArtifact, request: RegistrationRequest): string {
  const fields = registrationFields({
    circuit: anyContentId(artifact),
    kind: request.kind,
    deployed: request.deployed,
    at: request.at,
  });
  const uploader = requestSigner(REGISTER_ACTION, fields, request.signature);
  assertFresh(request.at);
  return uploader;
}

/** The verifier template a registration asks for: UltraHonk circuits get the optimized one unless
 *  `standard` is asked; PLONK has only the standard one. */
export function verifierKindFor(system: ProofSystem, asked: VerifierKind | undefined): VerifierKind {
  if (system === 'plonk') {
    if (asked === 'optimized')
      throw new GavelError('VERIFIER_KIND_UNSUPPORTED', 'PLONK circuits have only the standard verifier');
    return 'standard';
  }
  return asked ?? 'optimized';
}

/** Refuses (DEV_PTAU) a PLONK setup from the development ptau unless allowed: its only randomness is
 *  a public beacon, so anyone can forge proofs of such a circuit and be paid for them (review N12). */
export function assertPtauAllowed(origin: 'GAVEL_PTAU' | 'dev' | undefined, allowDevPtau: boolean): void {
  if (origin !== 'dev' || allowDevPtau) return;
  throw new GavelError(
    'DEV_PTAU',
    'this PLONK circuit is set up from the development ptau, which anyone can forge proofs for: a market that pays for proofs refuses it (set it up from a real ceremony with GAVEL_PTAU; GAVEL_ALLOW_DEV_PTAU=1 accepts it, for local development only)',
  );
}

/** Measures an artifact (gates first: a circuit above `maxGates` never gets a VK computed); its
 *  declared public inputs are checked against the program by prepareCircuit before any VK. */
async function measure(backend: ProvingBackend, artifact: AnyCircuitArtifact, maxGates: number) {
  const size = await backend.circuitSize(programOf(artifact));
  if (size.gates > maxGates) {
    throw new GavelError(
      'CIRCUIT_TOO_LARGE',
      `the circuit has ${size.gates} gates; this coordinator accepts at most ${maxGates}`,
      {
        details: { gates: size.gates, maxGates },
      },
    );
  }
  return prepareCircuit(backend, artifact);
}

/** The columns holding an artifact: Noir's ABI and bytecode, or the whole circom artifact. */
function storedArtifact(artifact: AnyCircuitArtifact) {
  if (isCircom(artifact)) {
    return {
      proofSystem: 'PLONK' as const,
      circom: artifact as unknown as object,
      noirVersion: `circom ${artifact.circomVersion}`,
      abi: {},
      bytecode: '',
    };
  }
  return { noirVersion: artifact.noirVersion, abi: artifact.abi as object, bytecode: artifact.bytecode };
}

/** The verifier of a VK this market has none for yet: the one the uploader deployed and registered
 *  (checked to be the one `source` builds, so it paid for it), or, for a sponsored uploader, one
 *  deployed now from the coordinator's key. Anyone else is refused VERIFIER_NOT_PAID: an upload
 *  never spends the coordinator's ETH unasked (review N5). */
async function newVerifier(
  chain: GavelContracts,
  source: string,
  vkHash: string,
  kind: VerifierKind,
  request: RegistrationRequest,
  sponsored: boolean,
): Promise<string> {
  if (request.deployed) {
    const deployed = getAddress(request.deployed);
    if (!(await chain.verifierKinds(vkHash, deployed)).includes(kind)) {
      throw new GavelError(
        'VERIFIER_NOT_REGISTERED',
        `${deployed} is not registered in the VerifierRegistry for VK ${vkHash} as the ${kind} template`,
      );
    }
    const provider = chain.market.runner?.provider;
    if (!provider) throw new GavelError('REQUIRES_PROVIDER', 'checking a verifier needs a chain provider');
    const problem = await verifierMismatch(provider, deployed, await compileVerifier(source));
    if (problem)
      throw new GavelError(
        'UPLOADED_VERIFIER_MISMATCH',
        `the named verifier is not this circuit's: ${problem}`,
      );
    return deployed;
  }
  if (!sponsored) {
    throw new GavelError(
      'VERIFIER_NOT_PAID',
      `no verifier is registered for VK ${vkHash} yet, and this coordinator does not deploy one at its own cost for you: deploy and register the ${kind} verifier yourself and name it (gavel circuit register does, with --key)`,
      { details: { vkHash, kind } },
    );
  }
  return deployAndRegisterVerifier(chain, chain.signer(), source, vkHash, kind);
}

/** Registers `upload` (idempotent: the same program and ABI return the same id, however they are
 *  compressed), refused with PUBLIC_INPUTS_MISMATCH when its ABI or declared public inputs are not
 *  what its program makes public, measured on the intake backend within `limits`. The request is
 *  signed by its uploader; a new VK's verifier is paid for by the uploader (deployed and named)
 *  or, for an uploader the coordinator sponsors, by the coordinator. */
export async function registerCircuit(
  prisma: PrismaClient,
  chain: GavelContracts,
  intake: IntakeBackend,
  upload: unknown,
  limits: UploadLimits,
  request: RegistrationRequest,
): Promise<RegisteredCircuit> {
  const artifact = parseAnyArtifact(upload, limits.maxAcirBytes);
  const uploader = uploaderOf(artifact, request);
  const system = proofSystemOf(artifact);
  const kind = verifierKindFor(system, request.kind);
  if (isCircom(artifact)) {
    if (!artifact.ptauHash) {
      throw new GavelError(
        'INVALID_ARTIFACT',
        'a PLONK circuit must name the hash of the ptau it is set up from (ptauHash)',
      );
    }
    assertPtauAllowed((await ptauByHash(artifact.ptauHash, artifact.ptauPower))?.origin, limits.allowDevPtau);
  }
  const prepared = await intake
    .run((b) => measure(b, artifact, limits.maxGates), limits.timeoutMs, system)
    .catch((cause) => {
      // A size, CRS or time refusal keeps its own code; anything else the backend chokes on is a bad upload.
      if (cause instanceof GavelError) throw cause;
      throw new GavelError('INVALID_ARTIFACT', 'invalid circuit artifact: the backend cannot load it', {
        cause,
      });
    });
  const existing = await prisma.circuit.findUnique({ where: { id: prepared.id } });
  if (existing?.verifier) {
    const { id, name, vkHash, gates, dyadic, verifier } = existing;
    const verifierKind = existing.verifierKind as VerifierKind;
    return {
      ...{ id, name, proofSystem: system, vkHash, verifier, verifierKind, gates, dyadic },
      created: false,
      verifierPaidBy: null,
    };
  }
  const vkHash = keccak256(prepared.vk);
  // The same program (a known VK) reuses the verifier this market deployed for it: another ABI or
  // compression of a circuit costs no gas.
  const sibling = await prisma.circuit.findFirst({
    where: { vkHash, verifier: { not: null }, verifierKind: kind },
  });
  const paidBy = sibling ? null : request.deployed ? 'uploader' : 'coordinator';
  const verifier =
    sibling?.verifier ??
    (await newVerifier(
      chain,
      await intake.run((b) => b.solidityVerifier(prepared.vk, kind), limits.timeoutMs, system),
      vkHash,
      kind,
      request,
      limits.sponsoredUploaders.includes(uploader),
    ));
  await prisma.circuit.upsert({
    where: { id: prepared.id },
    update: { verifier, verifierKind: kind },
    create: {
      id: prepared.id,
      name: artifact.name,
      ...storedArtifact(artifact),
      vk: Buffer.from(prepared.vk),
      vkHash,
      verifier,
      verifierKind: kind,
      gates: prepared.size.gates,
      dyadic: prepared.size.dyadic,
    },
  });
  return {
    id: prepared.id,
    name: artifact.name,
    proofSystem: system,
    vkHash,
    verifier,
    verifierKind: kind,
    gates: prepared.size.gates,
    dyadic: prepared.size.dyadic,
    created: existing === null,
    verifierPaidBy: paidBy,
  };
}
