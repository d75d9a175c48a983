// The public inputs the coordinator expects must be exactly those bb.js puts in an honest proof,
// or the honest prover is failed: signed integers of every width (negatives, extremes) and a
// signed public return value, proved for real and compared field by field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import {
  type PreparedCircuit,
  prepareCircuit,
  proveInputs,
  verifyProof,
} from '../../services/shared/proving/circuit-prover.js';
import { publicInputsOf } from '../../services/shared/proving/public-inputs.js';
import { solveWitness } from '../../services/shared/proving/witness.js';

let backend: BbBackend;
let circuit: PreparedCircuit;
const artifact = loadCircuit('signed_ints');
before(async () => {
  backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  circuit = await prepareCircuit(backend, artifact);
});
after(async () => {
  await backend.destroy();
});

const min = (w: number) => (-(1n << BigInt(w - 1))).toString();
const max = (w: number) => ((1n << BigInt(w - 1)) - 1n).toString();

const CASES: Record<string, string>[] = [
  { a: '-1', b: '-1', c: '-1', d: '-1' },
  { a: min(8), b: min(16), c: min(32), d: min(64) },
  { a: max(8), b: max(16), c: max(32), d: max(64) },
  { a: '0', b: '1', c: '-2', d: '3' },
];

for (const values of CASES) {
  test(`signed public inputs ${JSON.stringify(values)} are predicted exactly`, async () => {
    const inputs = { ...values, secret: values.d };
    const { returnValue } = await solveWitness(artifact, inputs);
    const expected = publicInputsOf(artifact.abi, inputs, returnValue);
    const proof = await proveInputs(backend, circuit, inputs);
    assert.deepEqual(expected, proof.publicInputs);
    assert.equal(await verifyProof(backend, circuit, proof, expected), true);
  });
}
