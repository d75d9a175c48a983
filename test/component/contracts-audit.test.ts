// AuctionAudit on a real anvil: a coordinator's bond is taken only on evidence the chain checks —
// a receipt it signed for a bid it then left out of the transcript it committed (challenged, not
// answered by the deadline), or an eligible bid in its own transcript priced below what it
// assigned the job at. An honest coordinator answers every challenge and keeps its bond.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContractFactory, parseEther, type Wallet, ZeroAddress } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { AuctionAudit, type Committed } from '../../services/shared/chain/auction-audit.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { decodeContractError } from '../../services/shared/chain/contract-errors.js';
import type { SignedBid } from '../../services/shared/chain/gavel-contracts.js';
import {
  buildTranscript,
  receiptDomain,
  STANDING,
  type Standing,
  signReceipt,
  type TranscriptEntry,
} from '../../services/shared/protocol/auction-transcript.js';
import { bidDigest } from '../../services/shared/protocol/bid-signing.js';
import { contractHelpers, deployRealCircuit, type RealCircuit, reverts } from '../fixtures/contracts.js';

const BOND = parseEther('5');
const WINDOW = 60;
/** One offence takes half the bond (the deploy default, 5000 bps), never all of it. */
const SHARE = BOND / 2n;
const DEPOSIT = parseEther('0.01');
const EVIDENCE_WINDOW = 600;
let chain: Chain;
let circuit: RealCircuit;

before(async () => {
  chain = await startChain({
    coordinatorBondWei: BOND,
    answerWindowSeconds: WINDOW,
    bondWithdrawDelaySeconds: 100,
    evidenceWindowSeconds: EVIDENCE_WINDOW,
  });
  circuit = await deployRealCircuit(chain, 2);
  for (const i of [3, 5, 6]) await h.registeredProver(i, '10');
});
after(async () => {
  await chain?.stop();
});

const h = contractHelpers(
  () => chain,
  () => circuit,
);
const audit = (i = 7) => new AuctionAudit(chain.as(i));
const address = (i: number) => (chain.wallets[i] as Wallet).address;
const coordinator = () => address(0);

function entry(b: SignedBid, standing: Standing = STANDING.eligible): TranscriptEntry {
  const domain = h.domain();
  return { bidDigest: bidDigest(domain, b.bid), prover: b.bid.prover, price: b.bid.price, standing };
}

/** Account `signer`'s receipt for bid `b`. */
function receipt(b: SignedBid, signer = 0) {
  const domain = receiptDomain(chain.deployment.chainId, chain.deployment.audit);
  return signReceipt(chain.wallets[signer] as Wallet, domain, {
    jobId: b.bid.jobId,
    attempt: b.bid.attempt,
    bidDigest: bidDigest(h.domain(), b.bid),
  });
}

/** A first-price job assigned to `winner` with `entries` as its committed transcript. */
async function assignedWith(winner: SignedBid, entries: TranscriptEntry[]) {
  const tree = buildTranscript(entries);
  await chain.as(0).assign(winner.bid.jobId, winner, undefined, tree.root);
  const committed: Committed = {
    root: tree.root,
    coordinator: coordinator(),
    winner: winner.bid.prover,
    price: winner.bid.price,
  };
  assert.deepEqual(await audit().committed(winner.bid.jobId, 0), committed);
  return { tree, committed };
}

async function firstPriceBids(prices: [number, number, number]) {
  const jobId = await h.openJob(4, { rule: 'FIRST_PRICE' });
  return {
    jobId,
    bids: (await Promise.all(
      ([3, 5, 6] as const).map((p, i) => h.bid(p, jobId, parseEther(String(prices[i])))),
    )) as [SignedBid, SignedBid, SignedBid],
  };
}

describe('a receipt challenged', () => {
  test('answered with its bid in the transcript: the challenge closes, the bond stays', async () => {
    const { bids } = await firstPriceBids([1, 1.5, 1.8]);
    const [win, other] = bids;
    const { tree, committed } = await assignedWith(win, [entry(win), entry(other), entry(bids[2])]);
    const digest = bidDigest(h.domain(), other.bid);
    await audit(5).challenge(other, await receipt(other));
    await reverts(audit(6).challenge(other, await receipt(other)), 'ChallengeExists');
    await reverts(
      audit().answer(digest, committed, STANDING.holdsAnotherAward, tree.proof(digest) ?? []),
      'NotInTranscript',
    );
    await reverts(
      audit().answer(digest, { ...committed, price: 1n }, STANDING.eligible, tree.proof(digest) ?? []),
      'CommittedMismatch',
    );
    const before = await audit().claimable(address(7));
    await audit().answer(digest, committed, STANDING.eligible, tree.proof(digest) ?? []);
    assert.equal((await audit().challengeOf(digest))?.open, false);
    // A groundless challenge costs its deposit, which pays whoever answered it (review N6).
    assert.equal((await audit().claimable(address(7))) - before, DEPOSIT);
    await chain.advance(WINDOW + 1);
    await reverts(audit().slashUnanswered(digest), 'NoOpenChallenge');
    assert.equal(await audit().bondOf(coordinator()), BOND);
  });

  test('many challenges are answered in one transaction; a closed or wrong entry is skipped, not fatal (review N6)', async () => {
    const { bids } = await firstPriceBids([1, 1.5, 1.8]);
    const { tree, committed } = await assignedWith(
      bids[0],
      bids.map((b) => entry(b)),
    );
    const digests = bids.map((b) => bidDigest(h.domain(), b.bid));
    for (const b of bids) await audit(5).challenge(b, await receipt(b));
    const [a, b, c] = digests as [string, string, string];
    const answerOf = (d: string, standing: number = STANDING.eligible) => ({
      bidDigest: d,
      committed,
      standing,
      proof: tree.proof(d) ?? [],
    });
    await audit().answer(a, committed, STANDING.eligible, tree.proof(a) ?? []);
    const before = await audit().claimable(address(7));
    // a: closed already; b: answered; c: a wrong standing, so its leaf is not in the transcript.
    const rx = await audit().answerMany([answerOf(a), answerOf(b), answerOf(c, STANDING.holdsAnotherAward)]);
    const events = audit().events(rx.logs);
    assert.deepEqual(
      events.filter((e) => e.name === 'AnswerSkipped').map((e) => e.args.bidDigest),
      [a, c],
    );
    assert.deepEqual(
      events.filter((e) => e.name === 'ChallengeAnswered').map((e) => e.args.bidDigest),
      [b],
    );
    assert.equal((await audit().claimable(address(7))) - before, DEPOSIT, "the answered challenge's deposit");
    assert.equal((await audit().challengeOf(c))?.open, true);
    await audit().answerMany([answerOf(c)]);
    assert.equal((await audit().challengeOf(c))?.open, false);
    assert.equal(await audit().bondOf(coordinator()), BOND);
  });

  test('for a bid left out of the transcript: unanswered by the deadline, the bond goes to the challenger', async () => {
    const { bids } = await firstPriceBids([1, 0.5, 1.8]);
    const [win, hidden, third] = bids;
    // The lower bid (0.5) got a receipt but is not in the transcript.
    await assignedWith(win, [entry(win), entry(third)]);
    const digest = bidDigest(h.domain(), hidden.bid);
    await audit(5).challenge(hidden, await receipt(hidden));
    await reverts(audit().slashUnanswered(digest), 'AnswerWindowOpen');
    await reverts(audit(0).withdrawBond(), 'WithdrawalNotReady');
    await chain.advance(WINDOW + 1);
    const rx = await audit(7).slashUnanswered(digest);
    const slashed = audit()
      .events(rx.logs)
      .find((e) => e.name === 'CoordinatorSlashed');
    assert.equal(slashed?.args.offence, 1n);
    assert.equal(slashed?.args.slashed, SHARE, 'a fixed share of the bond, not all of it');
    assert.equal(await audit().bondOf(coordinator()), BOND - SHARE);
    assert.equal(
      await audit().claimable(address(5)),
      SHARE + DEPOSIT,
      'the challenger is owed the share and its deposit back',
    );
    await audit(5).claim();
    await reverts(audit(5).claim(), 'NothingToClaim');
    await audit(9).postBond(coordinator(), SHARE); // back to the whole bond for the next tests
  });

  test('a key whose role was revoked cannot void its receipts (review N7)', async () => {
    const revoked = 2; // an account no other test here uses
    await (await chain.as(0).market.getFunction('setCoordinator')(address(revoked), true)).wait();
    await audit(9).postBond(address(revoked), BOND);
    const { bids } = await firstPriceBids([1, 0.5, 1.8]);
    const [win, hidden, third] = bids;
    const tree = buildTranscript([entry(win), entry(third)]);
    await chain.as(revoked).assign(win.bid.jobId, win, undefined, tree.root);
    const hiddenReceipt = await receipt(hidden, revoked);
    await (await chain.as(0).market.getFunction('setCoordinator')(address(revoked), false)).wait();
    await audit(5).challenge(hidden, hiddenReceipt);
    await chain.advance(WINDOW + 1);
    await audit(7).slashUnanswered(bidDigest(h.domain(), hidden.bid));
    assert.equal(await audit().bondOf(address(revoked)), BOND - SHARE);
  });

  test('refused: a receipt not signed by a coordinator, a bid not signed by its prover, no transcript yet', async () => {
    const { jobId, bids } = await firstPriceBids([1, 1.2, 1.3]);
    const [win, other] = bids;
    await reverts(audit(5).challenge(other, await receipt(other)), 'NoTranscript');
    await assignedWith(win, [entry(win), entry(other)]);
    await reverts(audit(5).challenge(other, await receipt(other, 8)), 'NotCoordinatorReceipt');
    await reverts(
      audit(5).challenge({ ...other, signature: win.signature }, await receipt(other)),
      'BidSignerMismatch',
    );
    await reverts(audit().slashUnanswered(bidDigest(h.domain(), other.bid)), 'NoOpenChallenge');
    assert.ok(jobId);
  });
});

describe('a better bid in the committed transcript', () => {
  test('an eligible bid below the price the job was assigned at takes the bond, once', async () => {
    const { jobId, bids } = await firstPriceBids([1.5, 0.9, 1.2]);
    const [win, better, busy] = bids;
    const entries = [entry(win), entry(better), entry(busy, STANDING.holdsAnotherAward)];
    const { tree, committed } = await assignedWith(win, entries);
    const proof = (e: TranscriptEntry) => tree.proof(e.bidDigest) ?? [];
    const [w, b, x] = entries as [TranscriptEntry, TranscriptEntry, TranscriptEntry];
    await reverts(audit().proveBetterBid(jobId, 0, committed, x, proof(x)), 'NotEligible');
    await reverts(audit().proveBetterBid(jobId, 0, committed, w, proof(w)), 'WinnerEntry');
    await reverts(
      audit().proveBetterBid(jobId, 0, committed, { ...b, price: parseEther('2') }, proof(b)),
      'NotABetterBid',
    );
    await reverts(
      audit().proveBetterBid(jobId, 0, committed, { ...b, price: 1n }, proof(b)),
      'NotInTranscript',
    );
    const rx = await audit(6).proveBetterBid(jobId, 0, committed, b, proof(b));
    const slashed = audit()
      .events(rx.logs)
      .find((e) => e.name === 'CoordinatorSlashed');
    assert.equal(slashed?.args.offence, 2n);
    assert.equal(await audit().claimable(address(6)), SHARE);
    await reverts(audit(6).proveBetterBid(jobId, 0, committed, b, proof(b)), 'AlreadyProven');
    await audit(9).postBond(coordinator(), SHARE);
  });
});

describe('bonds', () => {
  test('withdrawn only after the delay and with no challenge open; a Market assignment needs a transcript', async () => {
    const bonded = audit(8);
    await reverts(bonded.postBond(ZeroAddress, 1n), 'ZeroAddress');
    await reverts(bonded.postBond(address(8), 0n), 'ZeroAmount');
    await bonded.postBond(address(8), parseEther('1'));
    await reverts(bonded.requestWithdrawal(0n), 'ZeroAmount');
    await bonded.requestWithdrawal(parseEther('1'));
    await reverts(bonded.withdrawBond(), 'WithdrawalNotReady');
    await chain.advance(101);
    await bonded.withdrawBond();
    assert.equal(await bonded.bondOf(address(8)), 0n);

    // A coordinator with a challenge open cannot take its bond out.
    const { bids } = await firstPriceBids([1, 1.1, 1.2]);
    const [win, other] = bids;
    await assignedWith(win, [entry(win)]);
    await audit(5).challenge(other, await receipt(other));
    await audit(0).requestWithdrawal(1n);
    await chain.advance(101);
    await reverts(audit(0).withdrawBond(), 'ChallengesOpen');

    const jobId = await h.openJob(4);
    const bid = await h.bid(3, jobId, parseEther('1'));
    await reverts(
      chain
        .as(0)
        .assign(jobId, bid, undefined, '0x0000000000000000000000000000000000000000000000000000000000000000'),
      'NoTranscript',
    );
    const a = contractArtifact('AuctionAudit');
    await reverts(
      (async () => {
        try {
          await new ContractFactory(a.abi, a.bytecode, chain.wallets[0]).deploy(
            ZeroAddress,
            1,
            1,
            1,
            1,
            5000,
          );
        } catch (e) {
          throw decodeContractError(e);
        }
      })(),
      'ZeroAddress',
    );
  });
});

describe('evidence windows and deposits (review N6, N7)', () => {
  test('a challenge carries its deposit; evidence is taken only within the window; the bond stays until then', async () => {
    const key = 1; // a coordinator key of its own: earlier tests leave account 0 with a challenge open
    await (await chain.as(0).market.getFunction('setCoordinator')(address(key), true)).wait();
    await audit(9).postBond(address(key), BOND);
    const { jobId, bids } = await firstPriceBids([1, 0.9, 1.2]);
    const [win, better, hidden] = bids;
    const entries = [entry(win), entry(better)];
    const tree = buildTranscript(entries);
    await chain.as(key).assign(jobId, win, undefined, tree.root);
    const committed = {
      root: tree.root,
      coordinator: address(key),
      winner: win.bid.prover,
      price: win.bid.price,
    };
    const hiddenReceipt = await receipt(hidden, key);
    // Without its deposit, a challenge is refused: floods are not free.
    const noDeposit = chain
      .as(5)
      .audit.getFunction('challenge')(hidden.bid, hidden.signature, hiddenReceipt)
      .then((tx) => tx.wait())
      .catch((err: unknown) => {
        throw decodeContractError(err);
      });
    await reverts(noDeposit, 'WrongDeposit');
    // Its bond cannot leave while evidence may still come, whatever the withdrawal delay.
    await audit(key).requestWithdrawal(BOND);
    await chain.advance(101);
    await reverts(audit(key).withdrawBond(), 'BondFrozen');
    // Past the window, no evidence is taken against the attempt.
    await chain.advance(EVIDENCE_WINDOW + 1);
    const proof = tree.proof(entries[1]?.bidDigest ?? '') ?? [];
    await reverts(
      audit(6).proveBetterBid(jobId, 0, committed, entries[1] as TranscriptEntry, proof),
      'EvidenceWindowClosed',
    );
    await reverts(audit(5).challenge(hidden, hiddenReceipt), 'EvidenceWindowClosed');
    // And once the answers to it are due too, the bond may leave.
    await chain.advance(WINDOW + 1);
    await audit(key).withdrawBond();
    assert.equal(await audit().bondOf(address(key)), 0n);
  });
});

describe('a bond to assign (review N7)', () => {
  test('a coordinator key without the minimum bond cannot assign; the bonds contract is set once', async () => {
    const unbonded = 6;
    await (await chain.as(0).market.getFunction('setCoordinator')(address(unbonded), true)).wait();
    const jobId = await h.openJob(4);
    const bid = await h.bid(3, jobId, parseEther('1'));
    const err = await reverts(chain.as(unbonded).assign(jobId, bid), 'BondBelowMinimum');
    assert.match(err.message, /assigning needs at least 0\.1 ETH/);
    await audit(9).postBond(address(unbonded), parseEther('0.1'));
    await chain.as(unbonded).assign(jobId, bid);
    const setAgain = chain
      .as(0)
      .market.getFunction('setBonds')(chain.deployment.audit, 0n)
      .then((tx) => tx.wait())
      .catch((e: unknown) => {
        throw decodeContractError(e);
      });
    await reverts(setAgain, 'BondsAlreadySet');
  });
});
