// Verified facts (issue 26, item 3): whenever the Market's fulfil has a verifier accept a proof, it
// records the fact (verifier, public-inputs hash), and another contract reads it instead of
// verifying the proof again. Facts are recorded for verified items only: not for an item still
// unfulfilled, a proof refused, or evidence of an invalid proof. A fact is the named verifier's:
// registering a verifier for a key is only a claim, so one accepting anything makes no fact for
// the verifier a consumer trusts. Real tiny_square proofs and verifiers on anvil.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type Contract,
  ContractFactory,
  keccak256,
  parseEther,
  solidityPacked,
  toUtf8Bytes,
  type Wallet,
} from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import type { ProofPayload } from '../../services/prover/prover-link.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { contractHelpers, deployRealCircuit, type RealCircuit, reverts } from '../fixtures/contracts.js';

let chain: Chain;
let circuit: RealCircuit;
let consumer: Contract;

const h = contractHelpers(
  () => chain,
  () => circuit,
);
const hashOf = (publicInputs: string[]) =>
  keccak256(
    solidityPacked(
      publicInputs.map(() => 'bytes32'),
      publicInputs,
    ),
  );
const proof = (i: number) => circuit.proofs[i] as ProofPayload;

/** Asserts the consumer refuses `publicInputs` as not verified. */
async function consumerRefuses(publicInputs: string[]): Promise<void> {
  await assert.rejects(consumer.getFunction('advance').staticCall(publicInputs), (err: { data?: string }) => {
    const decoded = consumer.interface.parseError(err.data ?? '0x');
    assert.equal(decoded?.name, 'NotVerified');
    assert.equal(decoded?.args[0], hashOf(publicInputs));
    return true;
  });
}

async function deploy(name: 'FactConsumer' | 'AcceptAllVerifier', args: unknown[] = []): Promise<Contract> {
  const art = contractArtifact(name);
  const c = await new ContractFactory(art.abi, art.bytecode, chain.wallets[0] as Wallet).deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

/** A job of `items` opened by account 4 and assigned to prover 3. */
async function assigned(items: number[]): Promise<string> {
  const jobId = await h.openJob(4, { items });
  await chain.as(0).assign(jobId, await h.bid(3, jobId, parseEther('1'), { deliverySeconds: 100 }));
  return jobId;
}

before(async () => {
  chain = await startChain();
  circuit = await deployRealCircuit(chain, 4);
  await h.registeredProver(3, '10');
  consumer = await deploy('FactConsumer', [chain.deployment.market, circuit.verifier]);
});
after(async () => {
  await chain?.stop();
});

test('a fact is recorded for each item the verifier accepted, and only then', async () => {
  const jobId = await assigned([0, 1]);
  const [first, second] = [hashOf(proof(0).publicInputs), hashOf(proof(1).publicInputs)];
  assert.equal(await chain.as(6).isVerified(circuit.verifier, first), false);

  await chain.as(3).fulfil(jobId, h.itemProofs(jobId, [0]));
  assert.equal(await chain.as(6).isVerified(circuit.verifier, first), true, 'item 0 verified');
  assert.equal(await chain.as(6).isVerified(circuit.verifier, second), false, 'item 1 not yet');

  await chain.as(3).fulfil(jobId, h.itemProofs(jobId, [1]));
  assert.equal((await chain.as(0).job(jobId)).status, 'Settled');
  assert.equal(
    await chain.as(6).isVerified(circuit.verifier, second),
    true,
    'the completing call records it too',
  );
});

test('a consumer contract advances only on a recorded fact', async () => {
  const unproved = proof(3).publicInputs; // x = 4, y = 16: no job has verified it yet
  await consumerRefuses(unproved);
  assert.equal(await consumer.getFunction('accepted')(), 0n);

  const jobId = await assigned([3]);
  await chain.as(3).fulfil(jobId, h.itemProofs(jobId));
  await (await consumer.getFunction('advance')(unproved)).wait();
  assert.equal(await consumer.getFunction('accepted')(), 1n);
  assert.equal(await consumer.getFunction('last')(), hashOf(unproved));
});

test('a refused proof and evidence of an invalid one record no fact', async () => {
  const jobId = await assigned([2]);
  const [item] = h.itemProofs(jobId);
  if (!item) throw new Error('no item');
  const flipped = `${item.proof.slice(0, 200)}${item.proof[200] === '0' ? '1' : '0'}${item.proof.slice(201)}`;
  await reverts(chain.as(3).fulfil(jobId, [{ ...item, proof: flipped }]), 'InvalidProof');
  const tampered = { ...proof(2), proof: Buffer.from(flipped.slice(2), 'hex') };
  const evidence = await h.invalidEvidence(3, jobId, 0, 0, tampered);
  await chain.as(6).slashInvalid(evidence);
  assert.equal(await chain.as(6).isVerified(circuit.verifier, hashOf(proof(2).publicInputs)), false);
});

test("a fact is the named verifier's: one that accepts anything makes none for the real verifier", async () => {
  const acceptAll = await deploy('AcceptAllVerifier');
  const acceptAllAddress = await acceptAll.getAddress();
  // Anyone may claim a verifier for a key: the Market lets a job commit to it.
  await chain.as(0).registerVerifier(circuit.vkHash, acceptAllAddress, 'standard');
  const forged = ['0x0000000000000000000000000000000000000000000000000000000000000007']; // 7 is no square
  const forgedCircuit = {
    ...circuit,
    verifier: acceptAllAddress,
    proofs: [{ proof: new Uint8Array(32), publicInputs: forged }],
  };
  const g = contractHelpers(
    () => chain,
    () => forgedCircuit,
  );
  const jobId = keccak256(toUtf8Bytes('a job committed to a verifier that accepts anything'));
  await g.assignedJobWithId(jobId, [0]);
  await chain.as(3).fulfil(jobId, g.itemProofs(jobId));
  assert.equal(await chain.as(6).isVerified(acceptAllAddress, hashOf(forged)), true);
  assert.equal(await chain.as(6).isVerified(circuit.verifier, hashOf(forged)), false);
  await consumerRefuses(forged);
});

test('checking a fact costs a consumer one storage read and a call', async () => {
  const [verified, cold, warm] = (await consumer.getFunction('factCheckGas')(
    hashOf(proof(0).publicInputs),
  )) as [boolean, bigint, bigint];
  assert.equal(verified, true);
  // The first touch of the Market and of the fact's slot in a transaction costs 2,600 + 2,100 gas
  // by the EVM's rules whatever the contract does; a check after that (or with an access list)
  // costs the call and the read alone.
  assert.ok(cold <= 6_000n, `the first fact check took ${cold} gas`);
  assert.ok(warm <= 1_500n, `a warm fact check took ${warm} gas`);
});
