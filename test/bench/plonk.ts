// The two proof systems on one statement: batch_transfer (tree depth 4, 2 transfers) in Noir for
// UltraHonk (bb.js WASM) and in circom for PLONK (snarkjs WASM). Same inputs, same public inputs;
// for each: gates, key setup, prove and verify times (median of repeats, with min and max), proof
// size, and the gas of its on-chain verifier (gasUsed of a transaction calling verify()).

import { Contract, hexlify, type Wallet } from 'ethers';
import { startChain } from '../../services/devstack/local-chain.js';
import { compileVerifier, deployVerifier } from '../../services/shared/chain/circuit-verifier.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import type { Proof, ProvingBackend } from '../../services/shared/proving/backend.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { type AnyCircuitArtifact, loadAnyCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit, proveInputs } from '../../services/shared/proving/circuit-prover.js';
import { PlonkBackend } from '../../services/shared/proving/plonk/plonk-backend.js';
import { devPlonkCircuit } from '../fixtures/plonk.js';
import { type Spread, spread } from './stats.js';

export interface SystemFigures {
  system: string;
  circuit: string;
  /** Gates the prover works on: UltraHonk gates (bb's count), PLONK gates (snarkjs's count). */
  constraints: number;
  dyadic: number;
  setup_ms: number;
  prove_ms: number;
  prove_ms_spread: Spread;
  verify_ms: number;
  verify_ms_spread: Spread;
  gas_per_proof: number;
  proof_bytes: number;
}

const IVERIFIER = ['function verify(bytes proof, bytes32[] publicInputs) view returns (bool)'];

async function measure(
  system: string,
  backend: ProvingBackend,
  artifact: AnyCircuitArtifact,
  repeats: number,
  wallet: Wallet,
  log: (s: string) => void,
): Promise<SystemFigures> {
  let started = performance.now();
  const circuit = await prepareCircuit(backend, artifact);
  const setupMs = performance.now() - started;
  const items = (await generateBatches(artifact, repeats, 31)).map((b) => b.inputs);
  await proveInputs(backend, circuit, items[0]); // warm-up, untimed (as the raw loop does)
  const proofs: Proof[] = [];
  const proveMs: number[] = [];
  for (const inputs of items) {
    started = performance.now();
    proofs.push(await proveInputs(backend, circuit, inputs));
    proveMs.push(performance.now() - started);
    log(`${system}: proof ${proofs.length}/${repeats} in ${Math.round(proveMs.at(-1) as number)} ms`);
  }
  const verifyMs: number[] = [];
  for (const proof of [...proofs, ...proofs, ...proofs]) {
    started = performance.now();
    if (!(await backend.verify(proof, circuit.vk))) throw new Error(`${system}: a proof failed to verify`);
    verifyMs.push(performance.now() - started);
  }
  const build = await compileVerifier(await backend.solidityVerifier(circuit.vk));
  const { verifier } = await deployVerifier(wallet, build);
  const first = proofs[0] as Proof;
  const contract = new Contract(verifier, IVERIFIER, wallet);
  const args = [hexlify(first.proof), first.publicInputs] as const;
  if (!(await contract.getFunction('verify').staticCall(...args))) {
    throw new Error(`${system}: the on-chain verifier refused a valid proof`);
  }
  // A real transaction calling verify(): its gasUsed (estimates overshoot around the external
  // self-call of snarkjs's verifier).
  const data = contract.interface.encodeFunctionData('verify', args);
  const receipt = await (await wallet.sendTransaction({ to: verifier, data })).wait();
  const gas = receipt?.gasUsed ?? 0n;
  const prove = spread(proveMs);
  const verify = spread(verifyMs);
  return {
    system,
    circuit: circuit.name,
    constraints: circuit.size.gates,
    dyadic: circuit.size.dyadic,
    setup_ms: Math.round(setupMs),
    prove_ms: prove.median,
    prove_ms_spread: prove,
    verify_ms: verify.median,
    verify_ms_spread: verify,
    gas_per_proof: Number(gas),
    proof_bytes: first.proof.length,
  };
}

export async function plonkVsUltraHonk(repeats: number, log: (s: string) => void) {
  const chain = await startChain({ accounts: 2 });
  const honkBackend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  // No disk cache of proving keys: setup_ms is a real `snarkjs plonk setup`.
  const plonkBackend = await PlonkBackend.create({ diskCache: false });
  try {
    const wallet = chain.wallets[0] as Wallet;
    const ultrahonk = await measure(
      'ultrahonk',
      honkBackend,
      loadAnyCircuit('batch_transfer'),
      repeats,
      wallet,
      log,
    );
    log('PLONK: development ptau 2^16 (made once, cached), then the same statement');
    const plonkArtifact = await devPlonkCircuit('batch_transfer_plonk');
    const plonk = await measure('plonk', plonkBackend, plonkArtifact, repeats, wallet, log);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      ...plonk,
      statement:
        'batch_transfer: Poseidon2 account tree of depth 4, 2 transfers, public (old_root, new_root, batch_hash)',
      ultrahonk,
      plonk_over_ultrahonk: {
        prove: ratio(plonk.prove_ms, ultrahonk.prove_ms),
        verify: ratio(plonk.verify_ms, ultrahonk.verify_ms),
        gas_per_proof: ratio(plonk.gas_per_proof, ultrahonk.gas_per_proof),
        proof_bytes: ratio(plonk.proof_bytes, ultrahonk.proof_bytes),
      },
      note: 'both in WASM on this machine, 1 bb.js thread; snarkjs uses its own worker threads. Gas: gasUsed of a transaction calling verify() (21,000 base + calldata included)',
    };
  } finally {
    await plonkBackend.destroy();
    await honkBackend.destroy();
    await chain.stop();
  }
}
