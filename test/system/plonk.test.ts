// PLONK (snarkjs) as Gavel's second proof system, on real parts: the circom batch_transfer proves
// the same statement as the Noir one (same Poseidon2, same public inputs), the development ptau is
// reproducible, proofs verify off-chain, with snarkjs's own CLI and on-chain through the
// IVerifier adapter, and tampered proofs or wrong public inputs are refused everywhere.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Contract, hexlify, type Wallet } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { compileVerifier, deployVerifier } from '../../services/shared/chain/circuit-verifier.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import type { Proof } from '../../services/shared/proving/backend.js';
import { anyContentId, loadAnyCircuit } from '../../services/shared/proving/circuit-artifact.js';
import {
  type PreparedCircuit,
  prepareCircuit,
  proveInputs,
} from '../../services/shared/proving/circuit-prover.js';
import { itemPublicInputs } from '../../services/shared/proving/item-public-inputs.js';
import { PlonkBackend } from '../../services/shared/proving/plonk/plonk-backend.js';
import { locatePtau, makeDevPtau } from '../../services/shared/proving/plonk/ptau.js';
import { writeSnarkjsFiles } from '../../services/shared/proving/plonk/snarkjs-export.js';
import { snarkjsCli } from '../../services/shared/proving/plonk/snarkjs-files.js';
import { devPlonkCircuit } from '../fixtures/plonk.js';

let chain: Chain;
let backend: PlonkBackend;
let square: PreparedCircuit;
let squareProof: Proof;
const scratch = mkdtempSync(join(tmpdir(), 'gavel-plonk-test-'));

before(async () => {
  chain = await startChain({ accounts: 2 });
  backend = await PlonkBackend.create();
  square = await prepareCircuit(backend, await devPlonkCircuit('square_plonk'));
  squareProof = await proveInputs(backend, square, { x: '3', y: '9' });
});
after(async () => {
  await backend?.destroy();
  await chain?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const IVERIFIER = ['function verify(bytes proof, bytes32[] publicInputs) view returns (bool)'];

function tampered(proof: Proof, byte: number): Proof {
  const bytes = new Uint8Array(proof.proof);
  bytes[byte] = (bytes[byte] ?? 0) ^ 1;
  return { ...proof, proof: bytes };
}

async function deployed(circuit: PreparedCircuit): Promise<Contract> {
  const build = await compileVerifier(await backend.solidityVerifier(circuit.vk));
  const { verifier } = await deployVerifier(chain.wallets[0] as Wallet, build);
  return new Contract(verifier, IVERIFIER, chain.provider);
}

const onChain = (verifier: Contract, proof: Proof) =>
  verifier.getFunction('verify').staticCall(hexlify(proof.proof), proof.publicInputs) as Promise<boolean>;

/** Runs `snarkjs plonk verify` (the package's own CLI) on a proof; true when it says OK. */
function snarkjsCliVerifies(circuit: PreparedCircuit, proof: Proof): boolean {
  const dir = writeSnarkjsFiles(mkdtempSync(join(scratch, 'cli-')), proof, circuit.vk).dir;
  try {
    const out = execFileSync(
      process.execPath,
      [snarkjsCli(), 'plonk', 'verify', 'vk.json', 'public.json', 'proof.json'],
      {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return /OK/.test(out);
  } catch {
    return false;
  }
}

test('the development ptau is reproducible: two ceremonies give the same bytes', async () => {
  const other = { ...process.env, GAVEL_PTAU_CACHE: join(scratch, 'other-cache') };
  const here = await makeDevPtau(8);
  const there = await makeDevPtau(8, other);
  assert.equal(there.hash, here.hash);
  assert.notEqual(there.path, here.path);
});

test('GAVEL_PTAU names a production ptau (refused when too small); the ptau hash is part of a circuit id', async () => {
  const dev = await makeDevPtau(8);
  const named = join(scratch, 'ceremony.ptau');
  copyFileSync(dev.path, named);
  const env = { ...process.env, GAVEL_PTAU: named };
  const found = await locatePtau(8, env);
  assert.equal(found.origin, 'GAVEL_PTAU');
  assert.equal(found.path, named);
  assert.equal(found.hash, dev.hash);
  await assert.rejects(locatePtau(9, env), { code: 'PTAU_TOO_SMALL' });
  await assert.rejects(locatePtau(8, { ...process.env, GAVEL_PTAU: join(scratch, 'missing.ptau') }), {
    code: 'PTAU_MISSING',
  });
  const artifact = await devPlonkCircuit('square_plonk');
  const other = { ...artifact, ptauHash: `0x${'cd'.repeat(32)}` };
  assert.notEqual(anyContentId(other), anyContentId(artifact));
});

test('circom batch_transfer_plonk proves the statement of Noir batch_transfer: same inputs, same public inputs', async () => {
  const noir = loadAnyCircuit('batch_transfer');
  const circom = loadAnyCircuit('batch_transfer_plonk');
  const noirBatches = await generateBatches(noir, 3, 7);
  const circomBatches = await generateBatches(circom, 3, 7);
  const fromNoir = await itemPublicInputs(
    noir,
    noirBatches.map((b) => b.inputs),
  );
  // The circom witness generator checks every constraint, Poseidon2 included: a single wrong
  // round constant would fail the Merkle paths built with bb.js's Poseidon2.
  const fromCircom = await itemPublicInputs(
    circom,
    circomBatches.map((b) => b.inputs as Record<string, unknown>),
  );
  assert.deepEqual(fromCircom, fromNoir);
  assert.deepEqual(
    fromCircom,
    circomBatches.map((b) => b.publicInputs),
  );
});

test('batch_transfer_plonk refuses an overdraft and a wrong batch hash, and says which signal is unknown', async () => {
  const circom = loadAnyCircuit('batch_transfer_plonk');
  const [batch] = await generateBatches(circom, 1, 3);
  const inputs = batch?.inputs as Record<string, unknown>;
  const amounts = inputs.amount as string[];
  await assert.rejects(itemPublicInputs(circom, [{ ...inputs, amount: ['0xffffffffffff', amounts[1]] }]), {
    code: 'UNSATISFIED_CIRCUIT',
  });
  await assert.rejects(itemPublicInputs(circom, [{ ...inputs, batch_hash: '0x01' }]), {
    code: 'UNSATISFIED_CIRCUIT',
  });
  await assert.rejects(itemPublicInputs(circom, [{ ...inputs, bogus: '1' }]), { code: 'INVALID_INPUTS' });
});

test('a PLONK proof verifies off-chain; a tampered proof or other public inputs do not', async () => {
  assert.equal(squareProof.proof.length, 768);
  assert.deepEqual(squareProof.publicInputs.map(BigInt), [9n]);
  assert.equal(await backend.verify(squareProof, square.vk), true);
  for (const byte of [31, 300, 767])
    assert.equal(await backend.verify(tampered(squareProof, byte), square.vk), false);
  assert.equal(await backend.verify({ ...squareProof, publicInputs: ['0x10'] }, square.vk), false);
  assert.equal(await backend.verify({ ...squareProof, publicInputs: ['0x09', '0x09'] }, square.vk), false);
  assert.equal(
    await backend.verify({ ...squareProof, proof: squareProof.proof.subarray(0, 700) }, square.vk),
    false,
  );
});

test("snarkjs's own CLI (`snarkjs plonk verify`) accepts exported proofs and refuses a tampered one", () => {
  assert.equal(snarkjsCliVerifies(square, squareProof), true);
  assert.equal(snarkjsCliVerifies(square, tampered(squareProof, 300)), false);
});

test("snarkjs's Solidity verifier behind Gavel's IVerifier accepts the proof and refuses tampering", async () => {
  const verifier = await deployed(square);
  assert.equal(await onChain(verifier, squareProof), true);
  assert.equal(await onChain(verifier, tampered(squareProof, 300)), false);
  assert.equal(await onChain(verifier, { ...squareProof, publicInputs: [`0x${'0'.repeat(63)}a`] }), false);
  assert.equal(await onChain(verifier, { ...squareProof, proof: squareProof.proof.subarray(0, 736) }), false);
});

test('a process that proved and verified with PLONK exits by itself (no worker thread left behind)', () => {
  const started = Date.now();
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '..', 'fixtures', 'plonk-once.ts')],
    {
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  assert.match(out, /proved and verified/);
  assert.ok(Date.now() - started < 120_000);
});

test('batch_transfer_plonk (2^16 PLONK domain) is proved, and verified off-chain, by the CLI and on-chain', async () => {
  const circuit = await prepareCircuit(backend, await devPlonkCircuit('batch_transfer_plonk'));
  const [batch] = await generateBatches(circuit.artifact, 1, 11);
  const started = Date.now();
  const proof = await proveInputs(backend, circuit, batch?.inputs);
  console.log(
    `[plonk] batch_transfer_plonk proved in ${Date.now() - started} ms (domain ${circuit.size.dyadic})`,
  );
  assert.deepEqual(proof.publicInputs, batch?.publicInputs);
  assert.equal(await backend.verify(proof, circuit.vk), true);
  assert.equal(snarkjsCliVerifies(circuit, proof), true);
  const verifier = await deployed(circuit);
  assert.equal(await onChain(verifier, proof), true);
  const swapped = {
    ...proof,
    publicInputs: [proof.publicInputs[1], proof.publicInputs[0], proof.publicInputs[2]] as string[],
  };
  assert.equal(await onChain(verifier, swapped), false);
  assert.equal(await backend.verify(swapped, circuit.vk), false);
});
