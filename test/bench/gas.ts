// Gas of the trustless settlement path on anvil, with real batch_transfer proofs and the circuit's
// real Solidity verifier (bb's optimized template, the default a circuit registers with): registering a circuit (libraries + verifier + registry), assigning on
// signed bids, fulfilling (one proof; a 2-item and a 12-item job), and a slash.
import { keccak256, parseEther, type TransactionReceipt, toUtf8Bytes, type Wallet } from 'ethers';
import { startChain } from '../../services/devstack/local-chain.js';
import { compileVerifier, deployVerifier } from '../../services/shared/chain/circuit-verifier.js';
import { fulfilItems } from '../../services/shared/chain/fulfil-items.js';
import type { GavelContracts } from '../../services/shared/chain/gavel-contracts.js';
import { commitPublicInputs } from '../../services/shared/chain/public-inputs-commitment.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { bidDomain, signBid } from '../../services/shared/protocol/bid-signing.js';
import type { Proof } from '../../services/shared/proving/backend.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit, proveInputs } from '../../services/shared/proving/circuit-prover.js';

export interface GasFigures {
  assign: number;
  fulfil_per_proof: number;
  fulfil_job_2_items: number;
  fulfil_job_12_items: number;
  slash: number;
  register_circuit: number;
  fulfil_per_proof_target: number;
  proofBytes: number;
  note: string;
}

const PROVER = 1;
const RUNNER_UP = 2;
const REQUESTER = 3;

export async function gasFigures(log: (s: string) => void): Promise<GasFigures> {
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  const chain = await startChain();
  try {
    const artifact = loadCircuit('batch_transfer');
    const circuit = await prepareCircuit(backend, artifact);
    const build = await compileVerifier(await backend.solidityVerifier(circuit.vk, 'optimized'));
    const owner = chain.wallets[0] as Wallet;
    const before = await chain.provider.getTransactionCount(owner.address);
    const { verifier } = await deployVerifier(owner, build);
    const vkHash = keccak256(circuit.vk);
    await chain.as(0).registerVerifier(vkHash, verifier, 'optimized');
    const registerCircuit = await gasOfTransactions(chain.provider, owner.address, before);
    log(`registering batch_transfer's verifier: ${registerCircuit} gas; proving 12 items`);

    const items = (await generateBatches(artifact, 12, 77)).map((b) => b.inputs);
    const proofs: Proof[] = [];
    for (const inputs of items) proofs.push(await proveInputs(backend, circuit, inputs));
    for (const i of [PROVER, RUNNER_UP]) {
      await chain.as(i).registerProver(`p${i}`, '', parseEther('100'));
    }
    const domain = bidDomain(chain.deployment.chainId, chain.deployment.market);
    let n = 0;
    const bid = async (i: number, jobId: string, price: bigint) => {
      const terms = {
        jobId,
        attempt: 0,
        price,
        prover: (chain.wallets[i] as Wallet).address,
        expiry: (await chain.now()) + 600,
        nonce: BigInt(++n),
        deliverySeconds: 600,
      };
      return { bid: terms, signature: await signBid(chain.wallets[i] as Wallet, domain, terms) };
    };
    /** Opens and assigns (second price, with a runner-up) a job over `count` proofs. */
    const assignedJob = async (count: number): Promise<{ jobId: string; assign: TransactionReceipt }> => {
      const jobId = keccak256(toUtf8Bytes(`gas-${count}-${++n}`));
      const publicInputs = proofs.slice(0, count).map((p) => p.publicInputs);
      await chain.as(REQUESTER).openJob({
        jobId,
        vkHash,
        verifier,
        inputsHash: jobId,
        publicInputsRoot: commitPublicInputs(publicInputs).root,
        items: count,
        deadline: (await chain.now()) + 3600,
        collateral: parseEther('1'),
        reserve: parseEther('1'),
        rule: 'SECOND_PRICE',
      });
      const winner = await bid(PROVER, jobId, parseEther('0.1'));
      const runnerUp = await bid(RUNNER_UP, jobId, parseEther('0.2'));
      return { jobId, assign: await chain.as(0).assign(jobId, winner, runnerUp) };
    };
    const fulfil = async (c: GavelContracts, jobId: string, count: number, chunk: number) => {
      const batch = proofs.slice(0, count);
      const commitment = commitPublicInputs(batch.map((p) => p.publicInputs));
      const items = batch.map((p, index) => ({ index, ...p }));
      return Number((await fulfilItems(c, jobId, items, commitment, chunk)).gas);
    };

    const one = await assignedJob(1);
    const perProof = await fulfil(chain.as(PROVER), one.jobId, 1, 1);
    const two = await assignedJob(2);
    const twoItems = await fulfil(chain.as(PROVER), two.jobId, 2, 2);
    const twelve = await assignedJob(12);
    const twelveItems = await fulfil(chain.as(PROVER), twelve.jobId, 12, 4);
    const late = await assignedJob(1);
    await chain.advance(601);
    const slash = Number((await chain.as(5).slashLate(late.jobId)).gasUsed);
    return {
      assign: Number(one.assign.gasUsed),
      fulfil_per_proof: perProof,
      fulfil_job_2_items: twoItems,
      fulfil_job_12_items: twelveItems,
      slash,
      register_circuit: registerCircuit,
      fulfil_per_proof_target: 900_000,
      proofBytes: proofs[0]?.proof.length ?? 0,
      note:
        "batch_transfer (2^12), real proofs and bb's optimized verifier on anvil; assign with winner and runner-up bids; " +
        '2 items in one transaction, 12 items in 3 transactions of 4; slash = slashLate (the job reopens)',
    };
  } finally {
    await chain.stop();
    await backend.destroy();
  }
}

/** Gas of every transaction `from` sent from nonce `firstNonce` on (the verifier deployment). */
async function gasOfTransactions(
  provider: import('ethers').JsonRpcProvider,
  from: string,
  firstNonce: number,
): Promise<number> {
  const latest = await provider.getBlockNumber();
  let gas = 0n;
  for (let b = 0; b <= latest; b++) {
    const block = await provider.getBlock(b, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.from.toLowerCase() !== from.toLowerCase() || tx.nonce < firstNonce) continue;
      gas += (await provider.getTransactionReceipt(tx.hash))?.gasUsed ?? 0n;
    }
  }
  return Number(gas);
}
