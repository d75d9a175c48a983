// An artifact's declared public inputs must be the ones its program makes public (review N1): an
// ABI that relabels a parameter, or a circom list of the wrong length, is refused by name; the
// repo's honest circuits pass. Content ids do not change with compression or extra ABI keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { GavelError } from '../errors.js';
import {
  acirBytes,
  type CircuitArtifact,
  circuitContentId,
  loadAnyCircuit,
  loadCircuit,
} from './circuit-artifact.js';
import { type CircomArtifact, circomContentId } from './plonk/circom-artifact.js';
import { abiPublicLayout, checkCircomPublicLayout, checkNoirPublicLayout } from './public-layout.js';

const withVisibility = (
  a: CircuitArtifact,
  name: string,
  visibility: 'public' | 'private',
): CircuitArtifact => ({
  ...a,
  abi: { ...a.abi, parameters: a.abi.parameters.map((p) => (p.name === name ? { ...p, visibility } : p)) },
});

const refused = (err: unknown) => err instanceof GavelError && err.code === 'PUBLIC_INPUTS_MISMATCH';

test('the repo circuits declare exactly what their programs make public', () => {
  for (const name of ['tiny_square', 'signed_ints', 'batch_transfer', 'square_chain_10']) {
    assert.doesNotThrow(() => checkNoirPublicLayout(loadCircuit(name)), name);
  }
  // signed_ints: four public parameters (witnesses 0..3), a private one (4), a public return (5).
  assert.deepEqual(abiPublicLayout(loadCircuit('signed_ints').abi), {
    parameters: [0, 1, 2, 3],
    returns: [5],
    witnesses: 6,
  });
});

test('an ABI that marks a private parameter public is refused (the slash-farming attack)', () => {
  const lying = withVisibility(loadCircuit('tiny_square'), 'x', 'public');
  assert.throws(() => checkNoirPublicLayout(lying), refused);
  assert.throws(
    () => checkNoirPublicLayout(lying),
    /ABI makes witnesses \[0,1\] public parameters, the program \[1\]/,
  );
});

test('an ABI that hides a public parameter or a public return value is refused', () => {
  assert.throws(
    () => checkNoirPublicLayout(withVisibility(loadCircuit('tiny_square'), 'y', 'private')),
    refused,
  );
  const signed = loadCircuit('signed_ints');
  const ret = signed.abi.return_type;
  assert.ok(ret);
  const hiddenReturn: CircuitArtifact = {
    ...signed,
    abi: {
      ...signed.abi,
      return_type: { abi_type: ret.abi_type, visibility: 'private' },
    },
  };
  assert.throws(() => checkNoirPublicLayout(hiddenReturn), refused);
  const noReturn: CircuitArtifact = { ...signed, abi: { ...signed.abi, return_type: null } };
  assert.throws(() => checkNoirPublicLayout(noReturn), /witness 5/);
});

test('an ABI whose parameters take more fields than the program is refused', () => {
  const square = loadCircuit('tiny_square');
  const widened: CircuitArtifact = {
    ...square,
    abi: {
      ...square.abi,
      parameters: [
        { name: 'x', type: { kind: 'array', length: 2, type: { kind: 'field' } }, visibility: 'private' },
        { name: 'y', type: { kind: 'field' }, visibility: 'public' },
      ],
    },
  };
  assert.throws(() => checkNoirPublicLayout(widened), refused);
});

test('content ids are over the program and its ABI identity: not its compression or extra keys', () => {
  const square = loadCircuit('tiny_square');
  const regzipped = { ...square, bytecode: gzipSync(acirBytes(square), { level: 1 }).toString('base64') };
  assert.notEqual(regzipped.bytecode, square.bytecode);
  assert.equal(circuitContentId(regzipped), circuitContentId(square));
  const extraKey = { ...square, abi: { ...square.abi, comment: 'hello' } as CircuitArtifact['abi'] };
  assert.equal(circuitContentId(extraKey), circuitContentId(square));
  const noErrors = { ...square, abi: { ...square.abi, error_types: {} } };
  assert.equal(circuitContentId(noErrors), circuitContentId(square));
  assert.notEqual(circuitContentId(withVisibility(square, 'x', 'public')), circuitContentId(square));
});

test('an ABI of another shape has no content id: it is INVALID_ARTIFACT, never a crash', () => {
  const square = loadCircuit('tiny_square');
  const malformed: unknown[] = [
    [{ name: 'x', visibility: 'private' }],
    [null],
    [{ name: 'x', type: { kind: 'array', length: 2 }, visibility: 'private' }],
    [{ name: 'x', type: { kind: 'struct', path: 'S', fields: 'nope' }, visibility: 'private' }],
  ];
  for (const parameters of malformed) {
    const artifact = { ...square, abi: { ...square.abi, parameters } } as CircuitArtifact;
    assert.throws(
      () => circuitContentId(artifact),
      (e: unknown) => e instanceof GavelError && e.code === 'INVALID_ARTIFACT',
      JSON.stringify(parameters),
    );
  }
});

test('a circom artifact whose publicInputs list is not the R1CS public signals is refused', async () => {
  const circom = loadAnyCircuit('batch_transfer_plonk') as CircomArtifact;
  const r1cs = new Uint8Array(
    await import('node:zlib').then((z) => z.gunzipSync(Buffer.from(circom.r1cs, 'base64'))),
  );
  await checkCircomPublicLayout(circom, r1cs);
  const longer = { ...circom, publicInputs: [...circom.publicInputs, 'secret'] };
  await assert.rejects(checkCircomPublicLayout(longer, r1cs), refused);
  const shorter = { ...circom, publicInputs: circom.publicInputs.slice(1) };
  await assert.rejects(checkCircomPublicLayout(shorter, r1cs), /R1CS has 3 public signals/);
  const regzipped = { ...circom, r1cs: gzipSync(r1cs, { level: 1 }).toString('base64') };
  assert.equal(circomContentId(regzipped), circomContentId(circom));
});
