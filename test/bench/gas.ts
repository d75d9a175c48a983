// Gas of the trustless settlement path on anvil, with real batch_transfer proofs and the circuit's
// real Solidity verifier (bb's optimized template, the default a circuit registers with):
// registering a circuit (verifier + registry), assigning on signed bids, fulfilling (one proof; a
// 2-item and a 12-item job; one proof with the standard template, for comparison), a slash, and a
// consumer contract checking a verified fact.
import {
  type Contract,
  ContractFactory,
  keccak256,
  parseEther,
  solidityPacked,
  type TransactionReceipt,
  toUtf8Bytes,
  type Wallet,
} from 'ethers';
import { startChain } from '../../services/devstack/local-chain.js';
import { compileVerifier, deployVerifier } from '../../services/shared/chain/circuit-verifier.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
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
  /** Transactions the 12-item job was fulfilled in. */
  fulfil_job_12_items_transactions: number;
  /** One proof with the standard template's verifier, for comparison. */
  fulfil_per_proof_standard: number;
  /** A consumer contract's isVerified check: the first in a transaction, and once warm. */
  fact_check_cold: number;
  fact_check_warm: number;
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
    const assignedJob = async (
      count: number,
      jobVerifier = verifier,
    ): Promise<{ jobId: string; assign: TransactionReceipt }> => {
      const jobId = keccak256(toUtf8Bytes(`gas-${count}-${++n}`));
      const publicInputs = proofs.slice(0, count).map((p) => p.publicInputs);
      await chain.as(REQUESTER).openJob({
        jobId,
        vkHash,
        verifier: jobVerifier,
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
    /** Fulfils the first `count` items as a prover would (as few transactions as fit a block). */
    const fulfil = async (c: GavelContracts, jobId: string, count: number) => {
      const batch = proofs.slice(0, count);
      const commitment = commitPublicInputs(batch.map((p) => p.publicInputs));
      const items = batch.map((p, index) => ({ index, ...p }));
      const { gas, txHashes } = await fulfilItems(c, jobId, items, commitment);
      return { gas: Number(gas), transactions: txHashes.length };
    };

    const one = await assignedJob(1);
    const perProof = await fulfil(chain.as(PROVER), one.jobId, 1);
    const two = await assignedJob(2);
    const twoItems = await fulfil(chain.as(PROVER), two.jobId, 2);
    const twelve = await assignedJob(12);
    const twelveItems = await fulfil(chain.as(PROVER), twelve.jobId, 12);
    const standard = await deployVerifier(
      owner,
      await compileVerifier(await backend.solidityVerifier(circuit.vk, 'standard')),
    );
    await chain.as(0).registerVerifier(vkHash, standard.verifier, 'standard');
    const oneStandard = await assignedJob(1, standard.verifier);
    const perProofStandard = await fulfil(chain.as(PROVER), oneStandard.jobId, 1);
    const facts = await factCheck(chain.wallets[0] as Wallet, chain.deployment.market, verifier, proofs[0]);
    const late = await assignedJob(1);
    await chain.advance(601);
    const slash = Number((await chain.as(5).slashLate(late.jobId)).gasUsed);
    return {
      assign: Number(one.assign.gasUsed),
      fulfil_per_proof: perProof.gas,
      fulfil_job_2_items: twoItems.gas,
      fulfil_job_12_items: twelveItems.gas,
      fulfil_job_12_items_transactions: twelveItems.transactions,
      fulfil_per_proof_standard: perProofStandard.gas,
      fact_check_cold: facts.cold,
      fact_check_warm: facts.warm,
      slash,
      register_circuit: registerCircuit,
      fulfil_per_proof_target: 900_000,
      proofBytes: proofs[0]?.proof.length ?? 0,
      note:
        "batch_transfer (2^12), real proofs and bb's optimized verifier on anvil; assign with winner and runner-up bids; " +
        `2 items in one transaction, 12 items in ${twelveItems.transactions} (as many per transaction as fit half a block); ` +
        'slash = slashLate (the job reopens)',
    };
  } finally {
    await chain.stop();
    await backend.destroy();
  }
}

/** What a consumer contract (FactConsumer) pays to check the fact of a verified proof. */
async function factCheck(owner: Wallet, market: string, verifier: string, proof: Proof | undefined) {
  if (!proof) throw new Error('no proof to check');
  const art = contractArtifact('FactConsumer');
  const consumer = (await new ContractFactory(art.abi, art.bytecode, owner).deploy(
    market,
    verifier,
  )) as Contract;
  await consumer.waitForDeployment();
  const hash = keccak256(
    solidityPacked(
      proof.publicInputs.map(() => 'bytes32'),
      proof.publicInputs,
    ),
  );
  const [verified, cold, warm] = (await consumer.getFunction('factCheckGas')(hash)) as [
    boolean,
    bigint,
    bigint,
  ];
  if (!verified) throw new Error('the fulfilled proof has no recorded fact');
  return { cold: Number(cold), warm: Number(warm) };
}

/** Gas of every transaction `from` sent from nonce `firstNonce` on (a verifier deployment, a
 *  coordinator's transactions for a job). */
export async function gasOfTransactions(
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
