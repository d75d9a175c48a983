// The public inputs each batch item implies, found by solving its witness (a public return value
// is only known once solved). The requester commits to them on-chain; the coordinator checks them.
import { GavelError } from '../errors.js';
import { type AnyCircuitArtifact, isCircom } from './circuit-artifact.js';
import { publicInputsOf } from './public-inputs.js';
import { solveAnyWitness, solveWitness } from './witness.js';

async function publicInputsOfItem(
  artifact: AnyCircuitArtifact,
  inputs: Record<string, unknown>,
): Promise<string[]> {
  if (isCircom(artifact)) return (await solveAnyWitness(artifact, inputs)).publicInputs ?? [];
  const { returnValue } = await solveWitness(artifact, inputs);
  return publicInputsOf(artifact.abi, inputs, returnValue);
}

/** Solves every item once; an unsatisfiable item throws its own error, naming the item. */
export async function itemPublicInputs(
  artifact: AnyCircuitArtifact,
  items: Record<string, unknown>[],
): Promise<string[][]> {
  const out: string[][] = [];
  for (const [index, inputs] of items.entries()) {
    try {
      out.push(await publicInputsOfItem(artifact, inputs));
    } catch (err) {
      if (!(err instanceof GavelError)) throw err;
      throw new GavelError(err.code, `batch item ${index}: ${err.message}`, {
        cause: err,
        details: { item: index },
      });
    }
  }
  return out;
}
