// A prover sends one transaction at a time from its key: two self-fulfils due at the same moment
// went out together, took one nonce, and the second failed "replacement fee too low".
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Wallet } from 'ethers';
import pino from 'pino';
import { type FakeClocks, fakeClocks } from '../../shared/chain/fake-clocks.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { Award } from '../../shared/protocol/messages.js';
import { BidBook } from '../bidding/bid-book.js';
import { ChainDuty } from './chain-duty.js';

const wallet = Wallet.createRandom();

/** A chain where every job is assigned to `wallet` and each fulfil takes 50 ms to mine; records
 *  how many fulfils were in flight at once. */
function fakeChain() {
  const state = { inFlight: 0, most: 0, fulfilled: [] as string[] };
  const chain = {
    job: async () => ({ status: 'Assigned', attempt: 0, prover: wallet.address, attemptDeadline: 2e9 }),
    isItemVerified: async () => false,
    fulfil: async (jobId: string) => {
      state.inFlight++;
      state.most = Math.max(state.most, state.inFlight);
      await new Promise((r) => setTimeout(r, 50));
      state.inFlight--;
      state.fulfilled.push(jobId);
      return { gasUsed: 1n, hash: `0x${jobId}` };
    },
  };
  return { chain: chain as unknown as GavelContracts, state };
}

test('self-fulfils due at the same moment are sent one after the other', async () => {
  const { chain, state } = fakeChain();
  const duty = new ChainDuty(
    chain,
    wallet as unknown as Wallet,
    {},
    { coordinatorUrl: '', selfFulfilAfterMs: 0 },
    pino({ level: 'silent' }),
    new BidBook(),
    fakeClocks(1000),
  );
  const proof = { proof: new Uint8Array([1]), publicInputs: ['0x01'] };
  for (const jobId of ['a1', 'b2', 'c3']) duty.watchPayment({ jobId, attempt: 0 } as Award, [proof]);
  for (let i = 0; i < 100 && state.fulfilled.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  await duty.stop();
  assert.deepEqual([...state.fulfilled].sort(), ['a1', 'b2', 'c3']);
  assert.equal(state.most, 1, 'two transactions from one key were in flight at once');
});

/** A chain holding attempt 0 of job `j` for `wallet` until a hand-back is sent (or `released`). */
function holdingChain() {
  const state = { handedBack: 0, released: false, readsAfterRelease: 0 };
  const chain = {
    job: async () => {
      if (state.released) state.readsAfterRelease++;
      return state.released || state.handedBack > 0
        ? {
            status: 'Open',
            attempt: 1,
            prover: '0x0000000000000000000000000000000000000000',
            attemptDeadline: 0,
          }
        : { status: 'Assigned', attempt: 0, prover: wallet.address, attemptDeadline: 10_000 };
    },
    handBack: async () => {
      state.handedBack++;
      return { hash: '0x01' };
    },
  };
  return { chain: chain as unknown as GavelContracts, state };
}

/** A coordinator that accepts every hand-back (and, like a dead or lying one, never relays it). */
async function acceptingCoordinator(): Promise<{ url: string; close(): void }> {
  const server = createServer((_req, res) => res.writeHead(200).end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

function dutyOn(chain: GavelContracts, clock: FakeClocks, bids = new BidBook()) {
  return new ChainDuty(
    chain,
    wallet as unknown as Wallet,
    {},
    { coordinatorUrl: '', selfFulfilAfterMs: 0 },
    pino({ level: 'silent' }),
    bids,
    clock,
  );
}

const attempt0 = (coordinatorUrl: string) => ({
  jobId: `0x${'ab'.repeat(32)}`,
  attempt: 0,
  coordinatorUrl,
  deadline: 20_000,
});

test('a hand-back the coordinator accepted but never relayed is relayed by the prover itself (review N4)', async () => {
  const coordinator = await acceptingCoordinator();
  const { chain, state } = holdingChain();
  const clock = fakeClocks(1000);
  const duty = dutyOn(chain, clock);
  try {
    await duty.handBack(attempt0(coordinator.url), 'cannot prove');
    assert.equal(state.handedBack, 0, 'the coordinator relays first');
    clock.advance(11); // past the grace left to the coordinator's relay
    for (let i = 0; i < 50 && state.handedBack === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(state.handedBack, 1);
  } finally {
    await duty.stop();
    coordinator.close();
  }
});

test('a hand-back the coordinator relayed is not sent again; an unreachable coordinator is not waited for', async () => {
  const coordinator = await acceptingCoordinator();
  const relayed = holdingChain();
  const clock = fakeClocks(1000);
  const duty = dutyOn(relayed.chain, clock);
  try {
    await duty.handBack(attempt0(coordinator.url), 'cannot prove');
    relayed.state.released = true; // the coordinator's relay landed
    clock.advance(11);
    // The watch reads the chain again, sees the attempt released, and ends without relaying.
    for (let i = 0; i < 50 && relayed.state.readsAfterRelease === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    await duty.stop();
    assert.ok(relayed.state.readsAfterRelease > 0, 'the watch looked again');
    assert.equal(relayed.state.handedBack, 0);
  } finally {
    await duty.stop();
    coordinator.close();
  }
  const alone = holdingChain();
  const direct = dutyOn(alone.chain, fakeClocks(1000));
  await direct.handBack(attempt0('http://127.0.0.1:9'), 'cannot prove');
  assert.equal(alone.state.handedBack, 1, 'relayed at once');
  await direct.stop();
});

test('the agent waits for its assignment until its bid expires, not a fixed time (review N4)', async () => {
  let polls = 0;
  const chain = {
    job: async () => {
      polls++;
      return { status: 'Open', attempt: 0, prover: '0x0000000000000000000000000000000000000000' };
    },
  } as unknown as GavelContracts;
  const clock = fakeClocks(1000);
  const bids = new BidBook();
  const award = { ...attempt0('http://127.0.0.1:9'), deadline: 5000 } as unknown as Award;
  bids.record({ jobId: award.jobId, attempt: 0, expiry: 1200, deliverySeconds: 60, coordinatorUrl: '' });
  const duty = dutyOn(chain, clock, bids);
  const waiting = duty.awaitAssignment(award);
  let settled = false;
  void waiting.catch(() => undefined).finally(() => (settled = true));
  clock.advance(190); // 190 s later: past the old fixed 120 s, still before the bid's expiry
  const seen = polls;
  for (let i = 0; i < 50 && polls < seen + 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(polls >= seen + 2, 'it polled the chain again at 190 s');
  assert.equal(settled, false, 'still waiting while the bid may be assigned');
  clock.advance(14); // a block past the expiry (1200) exists
  await assert.rejects(waiting, /was not assigned to this prover on-chain/);
  await duty.stop();
});
