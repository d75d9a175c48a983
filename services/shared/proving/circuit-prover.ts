// Proving and verifying a circuit's inputs end to end: size and CRS checks, witness, proof.
import { GavelError } from '../errors.js';
import type { CircuitSize, Proof, ProvingBackend, SizedProgram } from './backend.js';
import { type AnyCircuitArtifact, anyContentId, isCircom, programOf } from './circuit-artifact.js';
import { checkCircomPublicLayout, checkNoirPublicLayout } from './public-layout.js';
import { solveAnyWitness } from './witness.js';

/** What a backend knows about one circuit: its program, size and verification key. */
export interface PreparedCircuit extends SizedProgram {
  id: string;
  artifact: AnyCircuitArtifact;
  size: CircuitSize;
  vk: Uint8Array;
}

/** Refuses an artifact whose declared public inputs are not the ones its program makes public
 *  (PUBLIC_INPUTS_MISMATCH): what escrows commit to is predicted from the declaration. */
export async function checkPublicLayout(artifact: AnyCircuitArtifact): Promise<void> {
  if (isCircom(artifact)) await checkCircomPublicLayout(artifact, programOf(artifact).code);
  else checkNoirPublicLayout(artifact);
}

/** Checks a circuit's public layout, measures it and derives its verification key (refusing it if
 *  the CRS is too small). Every party that relies on a circuit prepares it this way. */
export async function prepareCircuit(
  backend: ProvingBackend,
  artifact: AnyCircuitArtifact,
): Promise<PreparedCircuit> {
  await checkPublicLayout(artifact);
  const program = programOf(artifact);
  const size = await backend.circuitSize(program);
  const sized = { ...program, dyadic: size.dyadic };
  const vk = await backend.verificationKey(sized);
  return { ...sized, id: anyContentId(artifact), artifact, size, vk };
}

/** Solves the witness of `inputs` and proves it. Input problems throw before proving starts. */
export async function proveInputs(
  backend: ProvingBackend,
  circuit: PreparedCircuit,
  inputs: unknown,
): Promise<Proof> {
  const { witness } = await solveAnyWitness(circuit.artifact, inputs);
  return backend.prove(circuit, witness, circuit.vk);
}

/** Verifies a proof against the circuit's key, optionally requiring specific public inputs. */
export async function verifyProof(
  backend: ProvingBackend,
  circuit: PreparedCircuit,
  proof: Proof,
  expectedPublicInputs?: string[],
): Promise<boolean> {
  if (expectedPublicInputs && !samePublicInputs(proof.publicInputs, expectedPublicInputs)) return false;
  return backend.verify(proof, circuit.vk);
}

/** Field-wise comparison of two public-input lists (hex of any case or padding). */
export function samePublicInputs(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  try {
    return a.every((x, i) => BigInt(x) === BigInt(b[i] as string));
  } catch (cause) {
    throw new GavelError('INVALID_PUBLIC_INPUTS', 'public inputs must be hex or decimal field elements', {
      cause,
    });
  }
}
