// Both UltraHonk verifier templates on a real chain: each accepts real proofs and refuses tampered
// ones; the optimized one (written by the native bb) links no libraries and costs less gas; a
// claimed template is rebuilt and compared, so a verifier claimed as the other kind is refused;
// and the WASM backend's silent fallback (asked for the optimized template, it writes the standard
// one) is caught before anything is deployed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Contract, keccak256, type Wallet } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import {
  compileVerifier,
  deployVerifier,
  verifierProblem,
} from '../../services/shared/chain/circuit-verifier.js';
import type { Proof } from '../../services/shared/proving/backend.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import {
  type PreparedCircuit,
  prepareCircuit,
  proveInputs,
} from '../../services/shared/proving/circuit-prover.js';
import {
  evmSettings,
  honkTemplateOf,
  type VerifierKind,
} from '../../services/shared/proving/honk-verifier.js';

let chain: Chain;
let backend: BbBackend;
let circuit: PreparedCircuit;
let proof: Proof;
const deployed = new Map<VerifierKind, { address: string; libraries: number }>();

before(async () => {
  chain = await startChain();
  backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  circuit = await prepareCircuit(backend, loadCircuit('tiny_square'));
  proof = await proveInputs(backend, circuit, { x: '3', y: '9' });
  for (const kind of ['standard', 'optimized'] as const) {
    const build = await compileVerifier(await backend.solidityVerifier(circuit.vk, kind));
    const { verifier, libraries } = await deployVerifier(chain.wallets[0] as Wallet, build);
    await chain.as(0).registerVerifier(keccak256(circuit.vk), verifier, kind);
    deployed.set(kind, { address: verifier, libraries: Object.keys(libraries).length });
  }
});
after(async () => {
  await backend?.destroy();
  await chain?.stop();
});

function verifierAt(kind: VerifierKind): Contract {
  const address = deployed.get(kind)?.address ?? '';
  return new Contract(address, ['function verify(bytes, bytes32[]) view returns (bool)'], chain.provider);
}

test('each template accepts a real proof and refuses a tampered one', async () => {
  const tampered = new Uint8Array(proof.proof);
  tampered[200] = (tampered[200] ?? 0) ^ 1;
  for (const kind of ['standard', 'optimized'] as const) {
    const v = verifierAt(kind);
    assert.equal(await v.getFunction('verify')(proof.proof, proof.publicInputs), true, kind);
    const refused = await v
      .getFunction('verify')(tampered, proof.publicInputs)
      .then((ok: boolean) => !ok)
      .catch(() => true);
    assert.equal(refused, true, `${kind} refused the tampered proof`);
    const otherInputs = [`0x${10n.toString(16).padStart(64, '0')}`, ...proof.publicInputs.slice(1)];
    const wrong = await v
      .getFunction('verify')(proof.proof, otherInputs)
      .then((ok: boolean) => !ok)
      .catch(() => true);
    assert.equal(wrong, true, `${kind} refused other public inputs`);
  }
});

test('the optimized template links no libraries and verifies for less gas than the standard one', async () => {
  assert.equal(deployed.get('optimized')?.libraries, 0);
  assert.ok((deployed.get('standard')?.libraries ?? 0) > 0);
  const gas = async (kind: VerifierKind) =>
    verifierAt(kind).getFunction('verify').estimateGas(proof.proof, proof.publicInputs);
  assert.ok((await gas('optimized')) < (await gas('standard')));
});

test('a verifier is trusted only as the template claimed for it, rebuilt and compared', async () => {
  const vkHash = keccak256(circuit.vk);
  const optimized = deployed.get('optimized')?.address ?? '';
  assert.deepEqual(await chain.as(0).verifierKinds(vkHash, optimized), ['optimized']);
  assert.equal(
    await verifierProblem(chain.provider, backend, circuit.vk, vkHash, optimized, ['optimized']),
    undefined,
  );
  const asStandard = await verifierProblem(chain.provider, backend, circuit.vk, vkHash, optimized, [
    'standard',
  ]);
  assert.match(asStandard ?? '', /standard: /);
  assert.match(
    (await verifierProblem(chain.provider, backend, circuit.vk, vkHash, optimized, [])) ?? '',
    /not registered/,
  );
});

test("the WASM backend's silent fallback to the standard template is detected", async () => {
  // What bb.js's WASM build returns when asked for the optimized verifier: the standard contract.
  const api = (
    backend as unknown as {
      api: { circuitWriteSolidityVerifier: (a: unknown) => Promise<{ solidityCode: string }> };
    }
  ).api;
  const { solidityCode } = await api.circuitWriteSolidityVerifier({
    verificationKey: circuit.vk,
    settings: evmSettings('optimized'),
  });
  assert.equal(honkTemplateOf(solidityCode), 'standard', 'WASM wrote the standard template');
  // Through the backend, the optimized template comes from the native bb and is checked.
  assert.equal(honkTemplateOf(await backend.solidityVerifier(circuit.vk, 'optimized')), 'optimized');
});
