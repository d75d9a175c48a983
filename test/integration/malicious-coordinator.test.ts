// A malicious coordinator: with the coordinator's key used directly, every way to move money that
// signed bids and valid proofs do not justify reverts with a named error, and the honest path
// still settles. Then the whole stack: with the coordinator killed after the assignment, the
// prover is still paid (it fulfils on-chain itself).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type FunctionFragment, parseEther, type Wallet } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import type { ProofPayload } from '../../services/prover/prover-link.js';
import { AuctionAudit } from '../../services/shared/chain/auction-audit.js';
import { decodeContractError } from '../../services/shared/chain/contract-errors.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { CoordinatorClient, openAndSubmitJob } from '../../services/shared/client/coordinator-client.js';
import { buildTranscript, STANDING } from '../../services/shared/protocol/auction-transcript.js';
import { bidDigest, signBid } from '../../services/shared/protocol/bid-signing.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { contractHelpers, deployRealCircuit, type RealCircuit, reverts } from '../fixtures/contracts.js';
import { stakeProver, startMarket, uploaderOf, waitFor } from '../fixtures/market.js';

let chain: Chain;
let circuit: RealCircuit;
const HONEST = 3;
const OTHER = 5;
const REQUESTER = 4;

before(async () => {
  chain = await startChain();
  circuit = await deployRealCircuit(chain);
  await h.registeredProver(HONEST, '10');
  await h.registeredProver(OTHER, '10');
});
after(async () => {
  await chain?.stop();
});

const h = contractHelpers(
  () => chain,
  () => circuit,
);
/** The coordinator's key (account 0 holds the role). */
const evil = () => chain.as(0);
const coordinatorKey = () => chain.wallets[0] as Wallet;
const address = (i: number) => (chain.wallets[i] as Wallet).address;
const stakeOf = async (i: number) => (await evil().proverInfo(address(i))).stake;

/** Every Market function that changes state. A new one is a new power: this list (and a test of
 *  what the coordinator key can do with it) must change with it. */
const MARKET_WRITES = [
  // Ownable2Step's: they move the owner role (granting coordinators, setting bonds once), no money;
  // the two-step handover is tested in contracts.test.ts.
  'acceptOwnership',
  'renounceOwnership',
  'transferOwnership',
  'assign',
  'cancel',
  'claim',
  'expire',
  'fulfil',
  'handBack',
  'openJob',
  'setBonds',
  'setCoordinator',
  'slashInvalid',
  'slashLate',
].sort();

describe('with the coordinator key alone', () => {
  test('it cannot settle or fulfil without valid proofs', async () => {
    const jobId = await h.openJob(REQUESTER);
    await evil().assign(jobId, await h.bid(HONEST, jobId, parseEther('1')));
    const garbage = h
      .itemProofs(jobId)
      .map((p) => ({ ...p, proof: `0x${'00'.repeat((p.proof.length - 2) / 2)}` }));
    await reverts(evil().fulfil(jobId, garbage), 'InvalidProof');
    assert.equal((await evil().job(jobId)).status, 'Assigned');
    // No other way to pay or reopen: the Market's state-changing functions are exactly these.
    const writes = evil()
      .market.interface.fragments.filter(
        (f): f is FunctionFragment => f.type === 'function' && !(f as FunctionFragment).constant,
      )
      .map((f) => f.name)
      .sort();
    assert.deepEqual(writes, MARKET_WRITES);
  });

  test('it cannot assign (or pay) a prover that did not bid', async () => {
    const jobId = await h.openJob(REQUESTER);
    const bid = {
      jobId,
      attempt: 0,
      price: parseEther('2'),
      prover: address(OTHER),
      expiry: (await chain.now()) + 600,
      nonce: 1n,
      deliverySeconds: 300,
    };
    const forged = { bid, signature: await signBid(coordinatorKey(), h.domain(), bid) };
    await reverts(evil().assign(jobId, forged), 'BidSignerMismatch');
  });

  test('it cannot assign above the second price', async () => {
    const jobId = await h.openJob(REQUESTER, { reserve: '2' });
    const winner = await h.bid(HONEST, jobId, parseEther('0.5'));
    const runnerUp = await h.bid(OTHER, jobId, parseEther('0.7'));
    // A made-up runner-up at the reserve, or the runner-up's price raised: the signature fails.
    const raised = { ...runnerUp, bid: { ...runnerUp.bid, price: parseEther('2') } };
    await reverts(evil().assign(jobId, winner, raised), 'BidSignerMismatch');
    // The loser as "winner" and the real winner as "runner-up": the winner must be the cheaper.
    await reverts(evil().assign(jobId, runnerUp, winner), 'WinnerAboveRunnerUp');
    await evil().assign(jobId, winner, runnerUp);
    assert.equal((await evil().job(jobId)).price, parseEther('0.7'));
  });

  test('leaving the runner-up out charges the reserve, and the transcript it committed convicts it', async () => {
    const jobId = await h.openJob(REQUESTER, { reserve: '2' });
    const winner = await h.bid(HONEST, jobId, parseEther('0.5'));
    const runnerUp = await h.bid(OTHER, jobId, parseEther('0.7'));
    await new AuctionAudit(chain.as(8)).postBond(address(0), parseEther('1'));
    const bond = await new AuctionAudit(chain.as(8)).bondOf(address(0));
    // The chain cannot know a runner-up it is not shown: the winner is paid the whole reserve...
    const entries = [winner, runnerUp].map((b) => ({
      bidDigest: bidDigest(h.domain(), b.bid),
      prover: b.bid.prover,
      price: b.bid.price,
      standing: STANDING.eligible,
    }));
    const transcript = buildTranscript(entries);
    await evil().assign(jobId, winner, undefined, transcript.root);
    assert.equal((await evil().job(jobId)).price, parseEther('2'));
    // ...but the transcript it had to commit holds the runner-up's eligible 0.7 ETH bid, and anyone
    // proves it against the bond. (Left out of the transcript too, the runner-up's receipt convicts
    // it instead: test/contracts-audit.test.ts.)
    const witness = new AuctionAudit(chain.as(6));
    const committed = await witness.committed(jobId, 0);
    assert.ok(committed);
    const second = entries[1] as (typeof entries)[number];
    await witness.proveBetterBid(jobId, 0, committed, second, transcript.proof(second.bidDigest) ?? []);
    // One offence takes a fixed share of the bond (half, by default), never all of it.
    const share = (bond * (await chain.as(0).audit.getFunction('slashShareBps')())) / 10_000n;
    assert.equal(await witness.bondOf(address(0)), bond - share);
    assert.equal(await witness.claimable(address(6)), share);
  });

  test('it cannot slash an honest prover before its deadline or without evidence', async () => {
    const jobId = await h.openJob(REQUESTER);
    await evil().assign(jobId, await h.bid(HONEST, jobId, parseEther('1'), { deliverySeconds: 300 }));
    const stake = await stakeOf(HONEST);
    await reverts(evil().slashLate(jobId), 'AttemptDeadlineNotPassed');
    const valid = circuit.proofs[0] as ProofPayload;
    // The prover's own signed valid proof is no evidence; a result the coordinator signs is not its.
    await reverts(evil().slashInvalid(await h.invalidEvidence(HONEST, jobId, 0, 0, valid)), 'ProofIsValid');
    const junk = { proof: new Uint8Array(valid.proof.length), publicInputs: valid.publicInputs };
    await reverts(evil().slashInvalid(await h.invalidEvidence(0, jobId, 0, 0, junk)), 'NotAssignedProver');
    assert.equal(await stakeOf(HONEST), stake);
    // The honest path still settles: the prover (or anyone) fulfils with the real proofs.
    const before = await evil().marketClaimable(address(HONEST));
    await chain.as(HONEST).fulfil(jobId, h.itemProofs(jobId));
    assert.equal((await evil().job(jobId)).status, 'Settled');
    assert.equal((await evil().marketClaimable(address(HONEST))) - before, parseEther('2'));
  });

  test('it cannot drain stake by assigning and releasing over and over', async () => {
    const jobId = await h.openJob(REQUESTER, { collateral: '3' });
    const bid = await h.bid(HONEST, jobId, parseEther('1'));
    const stake = await stakeOf(HONEST);
    const locked = (await evil().proverInfo(address(HONEST))).locked;
    await evil().assign(jobId, bid);
    // Releasing needs the prover's signature (or its passed deadline, which slashes only then).
    await reverts(evil().handBack(jobId, 0, await h.handBackSignature(0, jobId, 0)), 'NotAssignedProver');
    await evil().handBack(jobId, 0, await h.handBackSignature(HONEST, jobId, 0));
    // The job is at attempt 1 now: the prover's attempt-0 bid cannot assign it again.
    await reverts(evil().assign(jobId, bid), 'BidForOtherJob');
    assert.equal(await stakeOf(HONEST), stake);
    assert.equal((await evil().proverInfo(address(HONEST))).locked, locked);
  });
});

test('revert reasons are decoded by name for the coordinator too', async () => {
  const err = decodeContractError(
    await evil()
      .market.getFunction('slashLate')
      .staticCall(h.newJobId())
      .catch((e: unknown) => e),
  );
  assert.equal((err as { errorName?: string }).errorName, 'UnknownJob');
});

describe('the whole stack', () => {
  test('with the coordinator killed after the assignment, the prover fulfils on its own and is paid', async () => {
    const market = await startMarket();
    try {
      await stakeProver(market.chain, 1);
      await market.startProver(1, { selfFulfilAfterMs: '2000' });
      const prover = (market.chain.wallets[1] as Wallet).address;
      const client = new CoordinatorClient(market.url, uploaderOf(market.chain));
      const artifact = loadCircuit('batch_transfer');
      const circuit = await client.registerCircuit(artifact);
      // Three items (~1 s each): the coordinator is gone before the last proof is sent.
      const items = (await generateBatches(artifact, 3, 31)).map((b) => b.inputs);
      const { jobId } = await openAndSubmitJob(client, market.chain.as(REQUESTER), {
        circuitId: circuit.id,
        items,
        reserve: parseEther('0.05'),
        collateral: parseEther('1'),
        deadlineIn: 300,
      });
      const chain = market.chain.as(0);
      await waitFor('the assignment on-chain', async () =>
        (await chain.job(jobId)).status === 'Assigned' ? true : undefined,
      );
      // Once the prover has its inputs (its first proof is out), the coordinator dies for good.
      // (A coordinator dead before serving the inputs is the data-availability case: the prover
      // hands the attempt back unslashed.)
      const { prisma } = market.coordinator.ctx;
      await waitFor('the first proof', async () =>
        (await prisma.assignment.findFirst({ where: { jobId: jobId.toLowerCase(), progress: { gte: 1 } } }))
          ? true
          : undefined,
      );
      await market.stack.stopCoordinator();
      await waitFor(
        'the prover to be paid on-chain',
        async () => ((await chain.job(jobId)).status === 'Settled' ? true : undefined),
        120_000,
      );
      const job = await chain.job(jobId);
      assert.equal(job.prover, prover);
      assert.equal(await chain.marketClaimable(prover), job.price);
    } finally {
      await market.stop();
    }
  });
});
