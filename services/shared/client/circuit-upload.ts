// Registering a circuit as its uploader: the registration is signed, and when the coordinator
// does not pay for a new verifier (VERIFIER_NOT_PAID), the uploader builds it from the circuit's
// VK, deploys and registers it from its own key, and names it.
import { keccak256 } from 'ethers';
import { deployAndRegisterVerifier } from '../chain/circuit-verifier.js';
import type { GavelContracts } from '../chain/gavel-contracts.js';
import { GavelError } from '../errors.js';
import type { ProvingBackend } from '../proving/backend.js';
import { BbBackend } from '../proving/bb-backend.js';
import { type AnyCircuitArtifact, isCircom, parseAnyArtifact } from '../proving/circuit-artifact.js';
import { prepareCircuit } from '../proving/circuit-prover.js';
import { VERIFIER_KINDS, type VerifierKind } from '../proving/honk-verifier.js';
import { PlonkBackend } from '../proving/plonk/plonk-backend.js';
import type { CoordinatorClient } from './coordinator-client.js';

/** A backend of the artifact's proof system, for computing its VK here. */
async function backendFor(artifact: AnyCircuitArtifact): Promise<ProvingBackend> {
  return isCircom(artifact) ? PlonkBackend.create() : BbBackend.create({ kind: 'wasm', threads: 1 });
}

/** Builds the `kind` verifier of `artifact`'s VK, deploys it and registers it in the
 *  VerifierRegistry, all paid by `contracts`' signer. Returns its address. */
export async function deployOwnVerifier(
  contracts: GavelContracts,
  artifact: AnyCircuitArtifact,
  kind: VerifierKind,
): Promise<string> {
  const backend = await backendFor(artifact);
  try {
    const { vk } = await prepareCircuit(backend, artifact);
    const source = await backend.solidityVerifier(vk, kind);
    return await deployAndRegisterVerifier(contracts, contracts.signer(), source, keccak256(vk), kind);
  } finally {
    await backend.destroy();
  }
}

/** Registers `upload`, signed by `contracts`' signer. A coordinator that does not pay for the new
 *  verifier refuses with VERIFIER_NOT_PAID; the uploader then deploys it at its own cost and
 *  registers again naming it (the answer's `verifierPaidBy` says who paid). */
export async function registerAsUploader(
  client: CoordinatorClient,
  contracts: GavelContracts,
  upload: unknown,
  opts: { verifier?: VerifierKind } = {},
) {
  const signer = contracts.signer();
  try {
    return await client.registerCircuit(upload, { ...opts, signer });
  } catch (err) {
    if (!(err instanceof GavelError) || err.code !== 'VERIFIER_NOT_PAID') throw err;
    const kind = err.details?.kind;
    if (!VERIFIER_KINDS.includes(kind as VerifierKind))
      throw new GavelError(
        'BAD_RESPONSE',
        'the coordinator refused the registration without naming a template',
      );
    const deployed = await deployOwnVerifier(contracts, parseAnyArtifact(upload), kind as VerifierKind);
    return client.registerCircuit(upload, { ...opts, deployed, signer });
  }
}
