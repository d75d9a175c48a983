// The coordinator's deadline actions (EXPIRE, SLASH_LATE) are sent once a mined block is past the
// deadline, by the chain's clock: never before (the chain would refuse them as early), never given
// up while waiting, and at once when chain time jumps past it (a test moving time, a chain catching up).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { type FakeClocks, fakeClocks } from '../../../shared/chain/fake-clocks.js';
import type { ActionRun } from './action.js';
import { expiringBid } from './assign.js';
import { expire } from './expire.js';
import { slashLate } from './slash-late.js';

const PROVER = '0x00000000000000000000000000000000000000aa';
const DEADLINE = 10_000;
const SENT = new Error('sent (the test stops here)');

/** One outbox row run against a chain holding the job as `onChain`, at the time `clock` says. */
function runOn(clock: FakeClocks, onChain: Record<string, unknown>) {
  const sent: string[] = [];
  const updates: { data: Record<string, unknown> }[] = [];
  const send = (kind: string) => async () => {
    sent.push(kind);
    if (kind === 'slashLate') throw SENT;
    return { hash: '0x01' };
  };
  const run = {
    ctx: {
      chain: { expire: send('expire'), slashLate: send('slashLate') },
      clock,
      metrics: { chainTx: { inc: () => undefined }, slashes: { inc: () => undefined } },
    },
    tx: { outboxAction: { update: async (u: { data: Record<string, unknown> }) => updates.push(u) } },
    row: { id: 7, jobId: `0x${'11'.repeat(32)}` },
    onChain,
    log: pino({ level: 'silent' }),
  } as unknown as ActionRun;
  return { run, sent, updates };
}

const expiry = { kind: 'EXPIRE' as const, jobId: `0x${'11'.repeat(32)}`, attempt: 0 };
const lateness = { kind: 'SLASH_LATE' as const, jobId: expiry.jobId, attempt: 0, prover: PROVER };
const open = { status: 'Open', deadline: DEADLINE };
const held = { status: 'Assigned', attempt: 0, prover: PROVER, attemptDeadline: DEADLINE };

test('EXPIRE waits, uncounted, until a mined block is past the deadline; then it is sent and done', async () => {
  const clock = fakeClocks(DEADLINE - 60);
  const early = runOn(clock, open);
  await expire(early.run, expiry);
  assert.deepEqual(early.sent, [], 'nothing is sent before the chain is past the deadline');
  const put = early.updates[0]?.data ?? {};
  assert.match(String(put.lastError), /the job deadline has not passed on-chain yet/);
  assert.equal(put.attempts, undefined, 'waiting is not a failed attempt');
  assert.equal(put.status, undefined, 'neither done nor failed');
  const notBefore = (put.notBefore as Date).getTime() - clock.wall.nowMs();
  assert.ok(
    notBefore > 0 && notBefore <= 5000,
    `looked at again within 5 s, not at the estimate (${notBefore} ms)`,
  );

  clock.advance(60); // chain time is the deadline itself: a block at it is not past it
  const atDeadline = runOn(clock, open);
  await expire(atDeadline.run, expiry);
  assert.deepEqual(atDeadline.sent, []);

  clock.chainJump(1);
  const due = runOn(clock, open);
  await expire(due.run, expiry);
  assert.deepEqual(due.sent, ['expire']);
  assert.equal(due.updates[0]?.data.status, 'DONE');
});

test('EXPIRE sends nothing for a job the chain already ended', async () => {
  const ended = runOn(fakeClocks(DEADLINE + 100), { status: 'Expired', deadline: DEADLINE });
  await expire(ended.run, expiry);
  assert.deepEqual(ended.sent, []);
  assert.match(String(ended.updates[0]?.data.lastError), /on-chain job is Expired/);
});

test('SLASH_LATE is sent only once a mined block is past the attempt deadline', async () => {
  const clock = fakeClocks(DEADLINE - 1);
  const early = runOn(clock, held);
  await slashLate(early.run, lateness);
  assert.deepEqual(early.sent, []);
  assert.match(String(early.updates[0]?.data.lastError), /the attempt deadline has not passed on-chain yet/);
  clock.chainJump(3600); // the chain moved far past the wall clock (evm_increaseTime)
  const late = runOn(clock, held);
  await assert.rejects(slashLate(late.run, lateness), SENT);
  assert.deepEqual(late.sent, ['slashLate']);
});

test("a deadline action's chain failure is not swallowed", async () => {
  const clock = fakeClocks(DEADLINE + 5);
  const failing = runOn(clock, open);
  (failing.run.ctx.chain as unknown as { expire: () => Promise<never> }).expire = () =>
    Promise.reject(new Error('node unreachable'));
  await assert.rejects(expire(failing.run, expiry), /node unreachable/);
});

test('an assignment whose bid expires (chain time) before it can be mined is not sent', () => {
  const bid = (expiry: number) => ({
    bid: { jobId: '0x', attempt: 0, price: 1n, prover: PROVER, expiry, nonce: 0n, deliverySeconds: 60 },
    signature: '0x',
  });
  const clock = fakeClocks(1000);
  const winner = bid(1010);
  const runnerUp = bid(1003);
  assert.equal(expiringBid([winner, undefined], clock.chain), undefined, 'ten seconds left: sent');
  assert.equal(expiringBid([winner, runnerUp], clock.chain), runnerUp, "the runner-up's bid expires first");
  clock.advance(7);
  assert.equal(
    expiringBid([winner, undefined], clock.chain),
    winner,
    'three seconds left: too late to be mined',
  );
  clock.chainJump(-7);
  clock.chainJump(3600); // a chain moved far ahead of the wall clock: judged by chain time
  assert.equal(expiringBid([winner], clock.chain), winner);
});
