// The chain clock: a deadline has passed only once a mined block is past it (whatever the wall
// clock says), the estimate runs on from the latest block, and a jump in chain time (a test moving
// time, a chain catching up) is followed as soon as its block is read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChainClock } from './chain-clock.js';

function chainAt(timestamp: number) {
  const chain = { number: 1, timestamp, reads: 0, fail: false };
  const source = {
    getBlock: async () => {
      chain.reads++;
      if (chain.fail) throw new Error('node unreachable');
      return { number: chain.number, timestamp: chain.timestamp };
    },
  };
  return { chain, source };
}

test('a deadline has passed only once a mined block is past it; the estimate runs on from the block', async () => {
  const { chain, source } = chainAt(1000);
  const wall = { ms: 5_000_000 };
  const clock = new ChainClock(source, 60_000, { nowMs: () => wall.ms });
  await clock.refresh();
  assert.equal(clock.nowSeconds(), 1000);
  assert.equal(clock.hasPassed(999), true);
  assert.equal(clock.hasPassed(1000), false, 'a block at the deadline is not past it');
  wall.ms += 30_000; // thirty seconds later, no new block read yet
  assert.equal(clock.nowSeconds(), 1030, 'the estimate counts the time since the block was seen');
  assert.equal(clock.hasPassed(1010), false, 'no mined block says so: acting now could be early');
  assert.equal(clock.wallMsAt(1040), wall.ms + 10_000);
  chain.number = 2;
  chain.timestamp = 1031;
  await clock.refresh();
  assert.equal(clock.hasPassed(1010), true);
  assert.equal(clock.nowSeconds(), 1031);
});

test('a jump in chain time is followed at the next read; a failed read keeps the last block', async () => {
  const { chain, source } = chainAt(1000);
  const wall = { ms: 0 };
  const clock = new ChainClock(source, 60_000, { nowMs: () => wall.ms });
  await clock.refresh();
  chain.number = 2;
  chain.timestamp = 1000 + 3600; // evm_increaseTime + evm_mine
  await clock.refresh();
  assert.equal(clock.hasPassed(4599), true);
  chain.fail = true;
  await clock.refresh();
  assert.equal(clock.latestSeconds(), 4600, 'an unreachable node does not move the clock back');
  chain.fail = false;
  chain.timestamp = 1; // an old block read again (a lagging node): ignored, its number is not new
  await clock.refresh();
  assert.equal(clock.latestSeconds(), 4600);
});

test('stop() ends the polling, even with a read in flight', async () => {
  const { chain, source } = chainAt(1000);
  const clock = await new ChainClock(source, 20).start();
  await new Promise((r) => setTimeout(r, 70));
  clock.stop();
  const reads = chain.reads;
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(chain.reads <= reads + 1, `polled on after stop: ${chain.reads - reads} reads`);
});
