// The public inputs each batch item implies, found by solving its witness (a public return value
// is only known once solved). The requester commits to them on-chain; the coordinator checks them.
import { GavelError } from '../errors.js';
import { type AnyCircuitArtifact, isCircom } from './circuit-artifact.js';
import { publicInputsOf } from './public-inputs.js';
import { solveAnyWitness, solveWitness } from './witness.js';

/** A batch item solved: the witness a backend proves from, and the public inputs it implies. */
export interface SolvedItem {
  witness: Uint8Array;
  publicInputs: string[];
}

async function solveItem(artifact: AnyCircuitArtifact, inputs: Record<string, unknown>): Promise<SolvedItem> {
  if (isCircom(artifact)) {
    const { witness, publicInputs } = await solveAnyWitness(artifact, inputs);
    return { witness, publicInputs: publicInputs ?? [] };
  }
  const { witness, returnValue } = await solveWitness(artifact, inputs);
  return { witness, publicInputs: publicInputsOf(artifact.abi, inputs, returnValue) };
}

/** The public inputs of every item (each solved once; see solveItems). */
export async function itemPublicInputs(
  artifact: AnyCircuitArtifact,
  items: Record<string, unknown>[],
): Promise<string[][]> {
  return (await solveItems(artifact, items)).map((s) => s.publicInputs);
}

/** Solves every item once; an unsatisfiable item throws its own error, naming the item. */
export async function solveItems(
  artifact: AnyCircuitArtifact,
  items: Record<string, unknown>[],
): Promise<SolvedItem[]> {
  const out: SolvedItem[] = [];
  for (const [index, inputs] of items.entries()) {
    try {
      out.push(await solveItem(artifact, inputs));
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
