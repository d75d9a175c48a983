// The bid judge's time rules, with stub dependencies: the auction window is wall time; the bid's
// expiry, its delivery time and the speed check are judged against the round's assignBy, the chain
// time stated in the announcement (so a chain whose clock runs far from ours judges the same way).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wallet } from 'ethers';
import { bidDomain, signBid } from '../../shared/protocol/bid-signing.js';
import type { BidRequest } from '../../shared/protocol/messages.js';
import type { CoordinatorConfig } from '../config.js';
import { type JudgeDeps, judgeBid } from './judge-bid.js';

const prover = Wallet.createRandom();
const domain = bidDomain(31337, '0x00000000000000000000000000000000000000e1');
const WALL_NOW = 1_000_000_000; // ms
// The chain's clock runs an hour ahead of the wall clock (a test chain moved by evm_increaseTime).
const ASSIGN_BY = WALL_NOW / 1000 + 3600 + 32;
const DEADLINE = ASSIGN_BY + 120;
const JOB = `0x${'ab'.repeat(32)}`;

function depsFor(): JudgeDeps & { stored: number } {
  const state = { stored: 0 };
  const auction = {
    id: 1,
    status: 'OPEN',
    announced: true,
    closesAt: new Date(WALL_NOW + 1000),
    assignBy: ASSIGN_BY,
    job: {
      reserveWei: '1000',
      collateralWei: '10',
      deadline: new Date(DEADLINE * 1000),
      excludedProvers: [],
      circuit: { gates: 1000, proofSystem: 'ULTRAHONK' },
      _count: { items: 2 },
    },
  };
  const prisma = {
    auction: { findFirst: async () => auction },
    prover: {
      findUnique: async () => ({ proofSystems: ['ultrahonk'], gatesPerSec: 1000, plonkGatesPerSec: 0 }),
    },
    $executeRaw: async () => {
      state.stored++;
      return 1;
    },
  };
  const staking = {
    getFunction: (name: string) => async () => (name === 'isRegistered' ? true : 10n ** 18n),
  };
  return Object.assign(state, {
    prisma,
    chain: { staking },
    domain,
    receiptDomain: domain,
    signer: Wallet.createRandom(),
    config: { assignMarginSeconds: 30, settleMarginMs: 5000 } as CoordinatorConfig,
    clock: { wall: { nowMs: () => WALL_NOW } },
  }) as unknown as JudgeDeps & { stored: number };
}

async function bidWith(expiry: number, deliverySeconds: number): Promise<BidRequest> {
  const terms = {
    jobId: JOB,
    attempt: 0,
    price: 500n,
    prover: prover.address,
    expiry,
    nonce: 1n,
    deliverySeconds,
  };
  const signature = await signBid(prover, domain, terms);
  return { bid: { ...terms, price: '500', nonce: '1' }, signature };
}

test('a bid valid until the chain time the round is assigned by, with a delivery that fits, is accepted', async () => {
  const deps = depsFor();
  const reply = await judgeBid(deps, await bidWith(ASSIGN_BY, 120));
  assert.equal(reply.accepted, true, JSON.stringify(reply));
  assert.equal(deps.stored, 1);
});

test('a bid expiring before assignBy is refused EXPIRED, whatever the wall clock says', async () => {
  const reply = await judgeBid(depsFor(), await bidWith(ASSIGN_BY - 1, 60));
  assert.equal(reply.code, 'EXPIRED');
  assert.match(reply.reason ?? '', /chain time/);
});

test("a delivery time ending after the job's deadline (counted from assignBy) is refused", async () => {
  const reply = await judgeBid(depsFor(), await bidWith(ASSIGN_BY, 121));
  assert.equal(reply.code, 'DELIVERY_PAST_DEADLINE');
  assert.match(reply.reason ?? '', /at most 120 s fits/);
});

test('a prover too slow to prove between the close (on-chain) and the deadline is refused TOO_SLOW', async () => {
  const deps = depsFor();
  (deps.prisma.prover as unknown as { findUnique: () => Promise<unknown> }).findUnique = async () => ({
    proofSystems: ['ultrahonk'],
    gatesPerSec: 10, // 2,000 gates take 200 s: more than the 150 s from the close to the deadline
    plonkGatesPerSec: 0,
  });
  assert.equal((await judgeBid(deps, await bidWith(ASSIGN_BY, 60))).code, 'TOO_SLOW');
});

test('the auction window is wall time: a bid after the close is refused CLOSED', async () => {
  const reply = await judgeBid(depsFor(), await bidWith(ASSIGN_BY, 60), WALL_NOW + 1000);
  assert.equal(reply.code, 'CLOSED');
});
