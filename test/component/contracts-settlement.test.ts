// Payment and slashing on a real anvil with a real circuit verifier: fulfil pays only for proofs
// the chain verified against the committed public inputs, up to and including the prover's own
// attempt deadline; a prover is slashed only after that deadline or on its own signed invalid
// result (with a bounty to whoever proves it); a signed hand-back releases it without a slash.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContractFactory, parseEther, type Wallet, ZeroAddress } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import type { ProofPayload } from '../../services/prover/prover-link.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { decodeContractError } from '../../services/shared/chain/contract-errors.js';
import { MAX_ATTEMPT_JUMP } from '../../services/shared/chain/gavel-contracts.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { recheckProofs } from '../../services/watchtower/diligence/proof-recheck.js';
import { contractHelpers, deployRealCircuit, type RealCircuit, reverts } from '../fixtures/contracts.js';

let chain: Chain;
let circuit: RealCircuit;

before(async () => {
  // Slashes: 10% bounty to the slasher, 40% to the requester, the rest to the treasury (account 0).
  chain = await startChain({ requesterShareBps: 4000, bountyShareBps: 1000 });
  circuit = await deployRealCircuit(chain);
  await h.registeredProver(3, '10');
  await h.registeredProver(5, '10');
});
after(async () => {
  await chain?.stop();
});

const h = contractHelpers(
  () => chain,
  () => circuit,
);
const coordinator = () => chain.as(0);
const address = (i: number) => (chain.wallets[i] as Wallet).address;
const stakeOf = async (i: number) => (await chain.as(0).proverInfo(address(i))).stake;
const stakingClaimable = async (i: number) => (await chain.as(0).proverInfo(address(i))).claimable;
/** Stakes `eth` more for account `i`, so a test does not depend on what earlier ones locked or slashed. */
const topUp = async (i: number, eth: string) => chain.as(i).stake(parseEther(eth));

/** A job assigned to account 3 at 1 ETH with a 100 s delivery time (collateral 1 ETH). */
async function assigned(opts: Parameters<typeof h.openJob>[1] = {}) {
  const jobId = await h.openJob(4, opts);
  await coordinator().assign(jobId, await h.bid(3, jobId, parseEther('1'), { deliverySeconds: 100 }));
  return jobId;
}

describe('fulfil', () => {
  test('a flipped proof byte, wrong public inputs or a bad item index pay nothing', async () => {
    const jobId = await assigned();
    const [item] = h.itemProofs(jobId, [0]);
    if (!item) throw new Error('no item');
    const flipped = `${item.proof.slice(0, 200)}${item.proof[200] === 'f' ? '0' : 'f'}${item.proof.slice(201)}`;
    await reverts(chain.as(7).fulfil(jobId, [{ ...item, proof: flipped }]), 'InvalidProof');
    const other = circuit.proofs[3] as ProofPayload;
    // A valid proof of other public inputs (x = 4) is not a proof of this item.
    await reverts(
      chain.as(7).fulfil(jobId, [{ ...item, proof: item.proof, publicInputs: other.publicInputs }]),
      'PublicInputsNotCommitted',
    );
    await reverts(chain.as(7).fulfil(jobId, [{ ...item, index: 5 }]), 'ItemOutOfRange');
    assert.equal((await coordinator().job(jobId)).verified, 0);
  });

  test('accepted up to and including the attempt deadline, refused after it', async () => {
    const jobId = await assigned();
    const job = await coordinator().job(jobId);
    // The next block is mined at the attempt deadline exactly: still on time.
    await chain.provider.send('evm_setNextBlockTimestamp', [job.attemptDeadline]);
    await chain.as(3).fulfil(jobId, h.itemProofs(jobId));
    assert.equal((await coordinator().job(jobId)).status, 'Settled');

    const late = await assigned();
    await chain.advance(101);
    await reverts(chain.as(3).fulfil(late, h.itemProofs(late)), 'AttemptDeadlinePassed');
  });
});

describe('slashLate', () => {
  test('only after the attempt deadline; the slash is split and the job is auctioned again', async () => {
    const jobId = await assigned();
    await reverts(chain.as(6).slashLate(jobId), 'AttemptDeadlineNotPassed');
    await chain.advance(101);
    const stake = await stakeOf(3);
    const [bounty, requester, treasury] = [
      await stakingClaimable(6),
      await stakingClaimable(4),
      await stakingClaimable(0),
    ];
    await chain.as(6).slashLate(jobId);
    assert.equal(stake - (await stakeOf(3)), parseEther('1'));
    assert.equal((await stakingClaimable(6)) - bounty, parseEther('0.1'));
    assert.equal((await stakingClaimable(4)) - requester, parseEther('0.4'));
    assert.equal((await stakingClaimable(0)) - treasury, parseEther('0.5'));
    const job = await coordinator().job(jobId);
    assert.equal(job.status, 'Open');
    assert.equal(job.attempt, 1);
    assert.equal(job.prover, ZeroAddress);
    // The old bid is for attempt 0: it cannot assign attempt 1.
    await reverts(coordinator().assign(jobId, await h.bid(3, jobId, 1n)), 'BidForOtherJob');
    await coordinator().assign(jobId, await h.bid(5, jobId, 1n, { attempt: 1 }));
    await chain.as(5).fulfil(jobId, h.itemProofs(jobId));
    assert.equal((await coordinator().job(jobId)).status, 'Settled');
  });

  test('past the job deadline the job expires with a full refund instead', async () => {
    const jobId = await assigned({ ttl: 150 });
    await chain.advance(151);
    const before = await coordinator().marketClaimable(address(4));
    await chain.as(6).slashLate(jobId);
    assert.equal((await coordinator().job(jobId)).status, 'Expired');
    assert.equal((await coordinator().marketClaimable(address(4))) - before, parseEther('2'));
  });
});

describe('slashInvalid', () => {
  test("the assigned prover's signed invalid proof slashes it at once", async () => {
    const jobId = await assigned();
    const garbage = {
      proof: new Uint8Array(circuit.proofs[0]?.proof.length ?? 0).fill(7),
      publicInputs: circuit.proofs[0]?.publicInputs ?? [],
    };
    // Signed by someone else, it is no evidence against the prover.
    await reverts(
      chain.as(6).slashInvalid(await h.invalidEvidence(5, jobId, 0, 0, garbage)),
      'NotAssignedProver',
    );
    const stake = await stakeOf(3);
    await chain.as(6).slashInvalid(await h.invalidEvidence(3, jobId, 0, 0, garbage));
    assert.equal(stake - (await stakeOf(3)), parseEther('1'));
    assert.equal((await coordinator().job(jobId)).status, 'Open');
  });

  test('a caller cannot starve the verifier into a false "invalid"', async () => {
    const jobId = await assigned();
    const valid = circuit.proofs[0] as ProofPayload;
    const e = await h.invalidEvidence(3, jobId, 0, 0, valid);
    const args = [e.result, e.signature, e.proof, e.publicInputs, e.committedHash, e.merkleProof];
    const starved = chain
      .as(6)
      .market.getFunction('slashInvalid')
      .staticCall(...args, { gasLimit: 5_000_000 })
      .catch((err: unknown) => {
        throw decodeContractError(err);
      });
    await reverts(starved, 'NotEnoughGasToVerify');
  });

  test('a signed valid proof of other public inputs slashes; a signed valid proof does not', async () => {
    const jobId = await assigned();
    const valid = circuit.proofs[0] as ProofPayload;
    await reverts(chain.as(6).slashInvalid(await h.invalidEvidence(3, jobId, 0, 0, valid)), 'ProofIsValid');
    const tampered = await h.invalidEvidence(3, jobId, 0, 0, valid);
    await reverts(chain.as(6).slashInvalid({ ...tampered, publicInputs: [] }), 'EvidenceMismatch');
    const elsewhere = circuit.proofs[3] as ProofPayload; // proves x = 4, not item 0's x = 1
    await chain.as(6).slashInvalid(await h.invalidEvidence(3, jobId, 0, 0, elsewhere));
    assert.equal((await coordinator().job(jobId)).status, 'Open');
  });
});

describe('handBack', () => {
  test("the prover's signature releases it without a slash; nobody else's does", async () => {
    const jobId = await assigned();
    await reverts(
      chain.as(6).handBack(jobId, 0, await h.handBackSignature(5, jobId, 0)),
      'NotAssignedProver',
    );
    await reverts(chain.as(6).handBack(jobId, 1, await h.handBackSignature(3, jobId, 1)), 'WrongAttempt');
    const stake = await stakeOf(3);
    const locked = (await chain.as(0).proverInfo(address(3))).locked;
    await chain.as(6).handBack(jobId, 0, await h.handBackSignature(3, jobId, 0));
    assert.equal(await stakeOf(3), stake);
    assert.equal(locked - (await chain.as(0).proverInfo(address(3))).locked, parseEther('1'));
    const job = await coordinator().job(jobId);
    assert.equal(job.status, 'Open');
    assert.equal(job.attempt, 1);
  });

  test('accepted up to and including the attempt deadline, too late after it: then only a slash (review N3)', async () => {
    await topUp(3, '3'); // earlier tests locked and slashed some of its stake
    const onTime = await assigned();
    const job = await coordinator().job(onTime);
    await chain.provider.send('evm_setNextBlockTimestamp', [job.attemptDeadline]);
    await chain.as(6).handBack(onTime, 0, await h.handBackSignature(3, onTime, 0));
    assert.equal((await coordinator().job(onTime)).status, 'Open');

    // A signature made in advance cannot outrun the slash of a prover that held the job too long.
    const held = await assigned();
    const signature = await h.handBackSignature(3, held, 0);
    await chain.advance(101);
    await reverts(chain.as(6).handBack(held, 0, signature), 'AttemptDeadlinePassed');
    const stake = await stakeOf(3);
    await chain.as(6).slashLate(held);
    assert.equal(stake - (await stakeOf(3)), parseEther('1'));
  });
});

describe('assign (review N3)', () => {
  test("a delivery time ending after the job's deadline is refused, not cut short", async () => {
    await topUp(3, '2');
    const jobId = await h.openJob(4, { ttl: 100 });
    const late = await h.bid(3, jobId, parseEther('1'), { deliverySeconds: 200 });
    await reverts(coordinator().assign(jobId, late), 'DeliveryPastDeadline');
    await coordinator().assign(jobId, await h.bid(3, jobId, parseEther('1'), { deliverySeconds: 60 }));
    const job = await coordinator().job(jobId);
    assert.ok(job.attemptDeadline <= job.deadline);
  });
});

describe('assign: every job can end (review N2)', () => {
  test('an assignment far past the current attempt is refused, and one within the bound can still end', async () => {
    await topUp(3, '2');
    const jobId = await h.openJob(4);
    const last = 2 ** 32 - 1;
    // Attempt 2^32-1 would make the next attempt overflow: slashLate, slashInvalid and handBack
    // would all revert and the escrow and the collateral stay locked for good.
    await reverts(
      coordinator().assign(jobId, await h.bid(3, jobId, parseEther('1'), { attempt: last })),
      'AttemptTooFar',
    );
    await reverts(
      coordinator().assign(jobId, await h.bid(3, jobId, parseEther('1'), { attempt: MAX_ATTEMPT_JUMP + 1 })),
      'AttemptTooFar',
    );
    assert.equal(await coordinator().market.getFunction('MAX_ATTEMPT_JUMP')(), BigInt(MAX_ATTEMPT_JUMP));
    await coordinator().assign(
      jobId,
      await h.bid(3, jobId, parseEther('1'), { attempt: MAX_ATTEMPT_JUMP, deliverySeconds: 60 }),
    );
    assert.equal((await coordinator().job(jobId)).attempt, MAX_ATTEMPT_JUMP);
    await chain.advance(61);
    await chain.as(5).slashLate(jobId);
    const reopened = await coordinator().job(jobId);
    assert.deepEqual([reopened.status, reopened.attempt], ['Open', MAX_ATTEMPT_JUMP + 1]);
  });
});

describe('a watchtower re-checking paid proofs (review N19)', () => {
  test("a fulfilment routed through another contract is counted unchecked, never decoded as the Market's", async () => {
    await topUp(3, '3');
    const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
    try {
      const direct = await assigned();
      await chain.as(3).fulfil(direct, h.itemProofs(direct));
      const straight = await recheckProofs(chain.as(6), backend, circuit.vk, direct, 0);
      assert.deepEqual([straight.items, straight.unchecked, straight.invalid], [2, 0, []]);

      const art = contractArtifact('FulfilRouter');
      const router = await new ContractFactory(art.abi, art.bytecode, chain.wallets[3]).deploy();
      await router.waitForDeployment();
      const routed = await assigned();
      await (await router.getFunction('route')(chain.deployment.market, routed, h.itemProofs(routed))).wait();
      assert.equal((await coordinator().job(routed)).status, 'Settled');
      const recheck = await recheckProofs(chain.as(6), backend, circuit.vk, routed, 0);
      assert.deepEqual([recheck.items, recheck.unchecked, recheck.invalid], [0, 2, []]);
    } finally {
      await backend.destroy();
    }
  });
});
