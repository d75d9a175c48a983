// Measures this machine's proving speed on the offline batch_transfer circuit, so bids only go to
// jobs the prover can finish by their deadline.

import { AccountTree } from '../shared/circuits/account-tree.js';
import {
  batchShape,
  buildBatch,
  fundAccounts,
  randomTransfers,
  seededRandom,
} from '../shared/circuits/batch-transfer-inputs.js';
import { Poseidon2 } from '../shared/circuits/poseidon2.js';
import type { ProvingBackend } from '../shared/proving/backend.js';
import { loadCircuit } from '../shared/proving/circuit-artifact.js';
import { type PreparedCircuit, prepareCircuit, proveInputs } from '../shared/proving/circuit-prover.js';

export interface Calibration {
  circuit: string;
  gates: number;
  dyadic: number;
  proveMs: number;
  gatesPerSec: number;
}

/** Times batch_transfer proofs; `onPrepared` receives the prepared circuit (a warm cache entry). */
export async function calibrate(
  backend: ProvingBackend,
  runs = 1,
  onPrepared?: (circuit: PreparedCircuit) => void,
): Promise<Calibration> {
  const artifact = loadCircuit('batch_transfer');
  const circuit = await prepareCircuit(backend, artifact);
  onPrepared?.(circuit);
  const shape = batchShape(artifact);
  const hasher = await Poseidon2.create();
  const tree = new AccountTree(shape.depth, hasher);
  fundAccounts(tree, 8, 1000n);
  const batch = buildBatch(tree, hasher, shape, randomTransfers(tree, shape.batchSize, 8, seededRandom(1)));
  // The first proof also compiles the backend's and witness solver's WASM: warm-up, not timed.
  await proveInputs(backend, circuit, batch.inputs);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await proveInputs(backend, circuit, batch.inputs);
    best = Math.min(best, performance.now() - started);
  }
  return {
    circuit: artifact.name,
    gates: circuit.size.gates,
    dyadic: circuit.size.dyadic,
    proveMs: Math.round(best),
    gatesPerSec: Math.round(circuit.size.gates / (best / 1000)),
  };
}
