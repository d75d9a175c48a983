// The public inputs each batch item implies, found by solving its witness (a public return value
// is only known once solved). The requester commits to them on-chain; the coordinator checks them.
import { GavelError } from '../errors.js';
import type { CircuitArtifact } from './circuit-artifact.js';
import { publicInputsOf } from './public-inputs.js';
import { solveWitness } from './witness.js';

/** Solves every item once; an unsatisfiable item throws its own error, naming the item. */
export async function itemPublicInputs(
  artifact: CircuitArtifact,
  items: Record<string, unknown>[],
): Promise<string[][]> {
  const out: string[][] = [];
  for (const [index, inputs] of items.entries()) {
    try {
      const { returnValue } = await solveWitness(artifact, inputs);
      out.push(publicInputsOf(artifact.abi, inputs, returnValue));
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
