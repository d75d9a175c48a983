// Proving core against real bb.js (WASM and native) and the real `bb` CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AccountTree } from '../../services/shared/circuits/account-tree.js';
import {
  batchShape,
  buildBatch,
  fundAccounts,
  randomTransfers,
  seededRandom,
} from '../../services/shared/circuits/batch-transfer-inputs.js';
import { Poseidon2 } from '../../services/shared/circuits/poseidon2.js';
import {
  CrsTooSmallError,
  InvalidInputsError,
  UnsatisfiedCircuitError,
} from '../../services/shared/errors.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { writeBbFiles } from '../../services/shared/proving/bb-export.js';
import { bbBinaryPath } from '../../services/shared/proving/bb-paths.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit, proveInputs, verifyProof } from '../../services/shared/proving/circuit-prover.js';
import { locateCrs } from '../../services/shared/proving/crs.js';
import { toFieldHex } from '../../services/shared/proving/fields.js';

const tiny = loadCircuit('tiny_square');
const scratch = mkdtempSync(join(tmpdir(), 'gavel-proving-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

for (const kind of ['wasm', 'native'] as const) {
  describe(`${kind} backend, tiny circuit`, () => {
    let backend: BbBackend;
    before(async () => {
      backend = await BbBackend.create({ kind, threads: 2 });
    });
    after(async () => {
      await backend.destroy();
    });

    test('proves and verifies x*x = y', async () => {
      const circuit = await prepareCircuit(backend, tiny);
      assert.ok(circuit.size.gates > 0 && circuit.size.dyadic >= circuit.size.gates);
      const proof = await proveInputs(backend, circuit, { x: 3, y: 9 });
      assert.deepEqual(proof.publicInputs.map(BigInt), [9n]);
      assert.equal(await verifyProof(backend, circuit, proof, [toFieldHex(9)]), true);
      // The same valid proof claimed for other public inputs is refused.
      assert.equal(await verifyProof(backend, circuit, proof, [toFieldHex(10)]), false);
    });

    test('rejects a tampered proof and altered public inputs', async () => {
      const circuit = await prepareCircuit(backend, tiny);
      const proof = await proveInputs(backend, circuit, { x: 5, y: 25 });
      const tampered = new Uint8Array(proof.proof);
      tampered[100] = (tampered[100] as number) ^ 1;
      assert.equal(await backend.verify({ ...proof, proof: tampered }, circuit.vk), false);
      assert.equal(await backend.verify({ ...proof, publicInputs: [toFieldHex(26)] }, circuit.vk), false);
      assert.equal(await backend.verify({ ...proof, proof: proof.proof.subarray(0, 64) }, circuit.vk), false);
    });
  });
}

describe('batch_transfer (WASM)', () => {
  let backend: BbBackend;
  let hasher: Poseidon2;
  before(async () => {
    backend = await BbBackend.create({ kind: 'wasm', threads: 2 });
    hasher = await Poseidon2.create();
  });
  after(async () => {
    await backend.destroy();
  });

  test('proves a batch, which the real bb CLI verifies; a forged batch fails', async () => {
    const artifact = loadCircuit('batch_transfer');
    const shape = batchShape(artifact);
    const circuit = await prepareCircuit(backend, artifact);
    assert.ok(circuit.size.dyadic <= 4096, `offline configuration must fit 2^12, got ${circuit.size.dyadic}`);

    const tree = new AccountTree(shape.depth, hasher);
    fundAccounts(tree, 8, 1000n);
    const batch = buildBatch(tree, hasher, shape, randomTransfers(tree, shape.batchSize, 8, seededRandom(7)));
    const proof = await proveInputs(backend, circuit, batch.inputs);
    assert.deepEqual(proof.publicInputs.map(BigInt), batch.publicInputs.map(BigInt));
    assert.equal(await verifyProof(backend, circuit, proof, batch.publicInputs), true);

    const files = writeBbFiles(join(scratch, 'batch'), proof, circuit.vk);
    const bb = bbBinaryPath();
    assert.ok(bb, 'bb binary shipped in @aztec/bb.js');
    const crsDir = locateCrs().dir;
    const bbVerify = (f: typeof files) =>
      spawnSync(bb, ['verify', '-t', 'evm', '-k', f.vk, '-p', f.proof, '-i', f.publicInputs, '-c', crsDir], {
        encoding: 'utf8',
      });
    const ok = bbVerify(files);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout + ok.stderr, /verified successfully/i);

    // The bb CLI refuses the same proof claimed for another new root.
    const [oldRoot, , batchHash] = batch.publicInputs as [string, string, string];
    const forgedProof = { ...proof, publicInputs: [oldRoot, toFieldHex(1), batchHash] };
    const forged = bbVerify(writeBbFiles(join(scratch, 'forged'), forgedProof, circuit.vk));
    assert.notEqual(forged.status, 0);
  });

  test('bad inputs fail clearly before any proving', async () => {
    const artifact = loadCircuit('batch_transfer');
    const shape = batchShape(artifact);
    const circuit = await prepareCircuit(backend, artifact);
    const tree = new AccountTree(shape.depth, hasher);
    fundAccounts(tree, 4, 10n);
    const transfers = Array.from({ length: shape.batchSize }, () => ({ from: 0, to: 1, amount: 1n }));

    // Overdraft caught by the input builder, naming the account.
    assert.throws(
      () => buildBatch(tree, hasher, shape, [{ from: 2, to: 3, amount: 11n }, ...transfers.slice(1)]),
      (e: unknown) =>
        e instanceof InvalidInputsError && /overdraft, account 2 has 10 and sends 11/.test(e.message),
    );

    const good = buildBatch(new AccountTreeWith(shape.depth, hasher, 4, 10n), hasher, shape, transfers);
    // Wrong type, missing field and unknown field: named by path, from the ABI check.
    const inputs = structuredClone(good.inputs) as Record<string, unknown>;
    (inputs.transfers as Record<string, unknown>[])[0] = {
      ...(inputs.transfers as object[])[0],
      amount: { n: 1 },
    };
    delete inputs.batch_hash;
    inputs.extra = 1;
    await assert.rejects(proveInputs(backend, circuit, inputs), (e: unknown) => {
      assert.ok(e instanceof InvalidInputsError);
      assert.match(e.message, /transfers\[0\]\.amount: expected a field element/);
      assert.match(e.message, /batch_hash: missing/);
      assert.match(e.message, /extra: not a parameter/);
      return true;
    });

    // Well-typed but unsatisfiable: an overdraft forged past the builder, caught by the circuit.
    const forged = structuredClone(good.inputs) as { transfers: { amount: string }[] };
    (forged.transfers[0] as { amount: string }).amount = toFieldHex(11);
    await assert.rejects(proveInputs(backend, circuit, forged), UnsatisfiedCircuitError);
  });

  test('a circuit above the offline CRS is refused up front, naming the sizes', async (t) => {
    const crs = locateCrs();
    if (crs.downloadable) return t.skip('this machine downloads the CRS');
    await assert.rejects(prepareCircuit(backend, loadCircuit('batch_transfer_large')), (e: unknown) => {
      assert.ok(e instanceof CrsTooSmallError);
      assert.match(
        e.message,
        /circuit batch_transfer_large has dyadic size 65536 and needs 65537 CRS points/,
      );
      assert.match(e.message, new RegExp(`holds ${crs.points}`));
      return true;
    });
  });
});

/** A tree with `n` funded accounts. */
class AccountTreeWith extends AccountTree {
  constructor(depth: number, hasher: Poseidon2, n: number, balance: bigint) {
    super(depth, hasher);
    fundAccounts(this, n, balance);
  }
}
