// Solving a circuit's witness: noir_js after checking inputs against the ABI, or circom's generator.
import { Noir } from '@noir-lang/noir_js';
import type { InputMap, InputValue } from '@noir-lang/types';
import { InvalidInputsError, UnsatisfiedCircuitError } from '../errors.js';
import { assertInputsMatchAbi } from './abi-check.js';
import { type AnyCircuitArtifact, type CircuitArtifact, isCircom } from './circuit-artifact.js';
import { solveCircomWitness } from './plonk/circom-artifact.js';

export interface SolvedWitness {
  /** gzip-compressed witness, as noir_js returns it and bb.js proves from. */
  witness: Uint8Array;
  returnValue: InputValue;
}

/**
 * Solves the witness of `inputs`. Throws InvalidInputsError when inputs do not fit the ABI and
 * UnsatisfiedCircuitError (with the circuit's assertion message) when they break a constraint.
 */
export async function solveWitness(artifact: CircuitArtifact, inputs: unknown): Promise<SolvedWitness> {
  assertInputsMatchAbi(artifact.abi, inputs);
  const noir = new Noir({ abi: artifact.abi, bytecode: artifact.bytecode, debug_symbols: '', file_map: {} });
  try {
    const { witness, returnValue } = await noir.execute(inputs as InputMap);
    return { witness, returnValue };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    if (/cannot be (encoded|converted)|expected|abi/i.test(message) && !/assert|constraint/i.test(message)) {
      throw new InvalidInputsError(`inputs rejected by circuit ${artifact.name}: ${message}`, { cause });
    }
    throw new UnsatisfiedCircuitError(`inputs do not satisfy circuit ${artifact.name}: ${message}`, {
      cause,
    });
  }
}

/** Solves the witness of a circuit of either system; PLONK also reads the public inputs off it. */
export async function solveAnyWitness(
  artifact: AnyCircuitArtifact,
  inputs: unknown,
): Promise<{ witness: Uint8Array; publicInputs?: string[] }> {
  if (isCircom(artifact)) return solveCircomWitness(artifact, inputs);
  return solveWitness(artifact, inputs);
}
