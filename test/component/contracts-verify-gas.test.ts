// The verifier's gas budget (review N14). slashInvalid gives the job's verifier VERIFY_GAS whatever
// gas its caller sends: a caller whose gas limit passes the check before the call, but leaves the
// verifier less than VERIFY_GAS once the proof is encoded (the call forwards 63/64 of what is
// left), must not get a valid proof taken for invalid. And a prover checks, with its first proof
// of a job, that the job's verifier accepts it within that budget: one that needs more would make
// its valid proofs slashable, so it hands the job back instead. anvil, real tiny_square proofs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Contract, ContractFactory, keccak256, toUtf8Bytes, type Wallet } from 'ethers';
import pino from 'pino';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { BidBook } from '../../services/prover/bidding/bid-book.js';
import type { ProofPayload } from '../../services/prover/prover-link.js';
import { ChainDuty } from '../../services/prover/proving/chain-duty.js';
import { ChainClock, wallClock } from '../../services/shared/chain/chain-clock.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { ContractRevertError, decodeContractError } from '../../services/shared/chain/contract-errors.js';
import { bidDomain } from '../../services/shared/protocol/bid-signing.js';
import { contractHelpers, deployRealCircuit, type RealCircuit, reverts } from '../fixtures/contracts.js';

let chain: Chain;
let circuit: RealCircuit;
let verifyGas: bigint;

before(async () => {
  chain = await startChain();
  circuit = await deployRealCircuit(chain, 2);
  await contractHelpers(
    () => chain,
    () => circuit,
  ).registeredProver(3, '10');
  verifyGas = await chain.as(0).verifyGasBudget();
});
after(async () => {
  await chain?.stop();
});

/** A BudgetVerifier (valid only when given `needed` gas), claimed for tiny_square's key. */
async function budgetVerifier(needed: bigint): Promise<string> {
  const art = contractArtifact('BudgetVerifier');
  const c = (await new ContractFactory(art.abi, art.bytecode, chain.wallets[0] as Wallet).deploy(
    needed,
  )) as Contract;
  await c.waitForDeployment();
  const address = await c.getAddress();
  await chain.as(0).registerVerifier(circuit.vkHash, address, 'standard');
  return address;
}

/** A one-item job committed to `verifier`, assigned to prover 3; helpers bound to it. */
async function assignedTo(verifier: string, name: string) {
  const bound = { ...circuit, verifier };
  const h = contractHelpers(
    () => chain,
    () => bound,
  );
  const jobId = keccak256(toUtf8Bytes(name));
  await h.assignedJobWithId(jobId, [0]);
  return { jobId, h };
}

test('no gas limit a caller picks makes slashInvalid take a valid proof for invalid', async () => {
  // Valid, and costs all but 800 gas of the budget (its own dispatch and decoding take ~700 of
  // those): any shortfall makes it fail.
  const verifier = await budgetVerifier(verifyGas - 800n);
  const { jobId, h } = await assignedTo(verifier, 'a job whose verifier needs its whole budget');
  const e = await h.invalidEvidence(3, jobId, 0, 0, circuit.proofs[0] as ProofPayload);
  const args = [e.result, e.signature, e.proof, e.publicInputs, e.committedHash, e.merkleProof];
  const slashInvalid = chain.as(6).market.getFunction('slashInvalid');
  const outcomes = new Map<string, number>();
  // From just under the check before the call to well over it, in steps smaller than the gas
  // spent between that check and the call.
  const from = verifyGas + verifyGas / 63n + 50_000n;
  for (let gasLimit = from; gasLimit < from + 250_000n; gasLimit += 500n) {
    const outcome = await slashInvalid
      .staticCall(...args, { gasLimit })
      .then(() => 'slashed')
      .catch((err: unknown) => {
        const decoded = decodeContractError(err);
        return decoded instanceof ContractRevertError ? decoded.errorName : 'out of gas';
      });
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const seen = JSON.stringify(Object.fromEntries(outcomes));
  assert.equal(outcomes.get('slashed'), undefined, `a valid proof was slashed at some gas limit: ${seen}`);
  assert.ok(outcomes.has('NotEnoughGasToVerify'), `the scan starts below the budget: ${seen}`);
  assert.ok(outcomes.has('ProofIsValid'), `the scan reaches a full budget: ${seen}`);
});

test('a prover refuses a job whose verifier needs more gas than the Market gives it', async () => {
  const proof = circuit.proofs[0] as ProofPayload;
  const clock = new ChainClock(chain.provider, 60_000);
  await clock.refresh();
  const duty = new ChainDuty(
    chain.as(3),
    chain.wallets[3] as Wallet,
    bidDomain(chain.deployment.chainId, chain.deployment.market),
    { coordinatorUrl: 'http://127.0.0.1:1', selfFulfilAfterMs: 60_000 },
    pino({ level: 'silent' }),
    new BidBook(),
    { chain: clock, wall: wallClock },
  );
  try {
    const real = await assignedTo(circuit.verifier, 'a job with the real verifier');
    await duty.checkVerifierBudget((await duty.commitments(real.jobId)).verifier, proof);

    const hungry = await assignedTo(await budgetVerifier(verifyGas + 1n), 'a job whose verifier needs more');
    const { verifier } = await duty.commitments(hungry.jobId);
    await assert.rejects(duty.checkVerifierBudget(verifier, proof), { code: 'VERIFIER_OVER_BUDGET' });
    // The check is an eth_call: nothing of the proof reached the chain.
    assert.equal(await chain.as(3).isItemVerified(hungry.jobId, 0), false);
  } finally {
    clock.stop();
  }
});

test('a verifier without code gives no verdict: nobody is slashed on its silence', async () => {
  const verifier = await budgetVerifier(0n);
  const { jobId, h } = await assignedTo(verifier, 'a job whose verifier lost its code');
  // No code can leave a deployed contract on a live chain; anvil stands for a chain that erred.
  await chain.provider.send('anvil_setCode', [verifier, '0x']);
  const e = await h.invalidEvidence(3, jobId, 0, 0, circuit.proofs[0] as ProofPayload);
  await reverts(chain.as(6).slashInvalid(e), 'NoVerifierCode');
  assert.equal((await chain.as(0).job(jobId)).status, 'Assigned');
});
