// An expire the chain refuses as early (its next block's time still before the deadline) is tried
// again later, never marked done or failed: given up, the escrow stayed open on-chain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { ActionRun } from './action.js';
import { expire } from './expire.js';

/** A run of one EXPIRE row against a chain whose `expire` answers with `answer`. */
function runWith(deadline: number, answer: () => Promise<{ hash: string }>) {
  const updates: { data: Record<string, unknown> }[] = [];
  const run = {
    ctx: { chain: { expire: answer }, metrics: { chainTx: { inc: () => undefined } } },
    tx: { outboxAction: { update: async (u: { data: Record<string, unknown> }) => updates.push(u) } },
    row: { id: 7 },
    onChain: { status: 'Open', deadline },
    log: pino({ level: 'silent' }),
  } as unknown as ActionRun;
  return { run, updates };
}

const entry = { kind: 'EXPIRE' as const, jobId: `0x${'11'.repeat(32)}`, attempt: 0 };
const past = Math.floor(Date.now() / 1000) - 5;

test('an expire refused with DeadlineNotPassed is retried, not given up', async () => {
  const early = Object.assign(new Error('deadline has not passed'), { errorName: 'DeadlineNotPassed' });
  const { run, updates } = runWith(past, () => Promise.reject(early));
  await expire(run, entry);
  assert.equal(updates.length, 1);
  assert.match(String(updates[0]?.data.lastError), /has not passed yet/);
  assert.ok(updates[0]?.data.notBefore instanceof Date, 'retried later');
  assert.equal(updates[0]?.data.status, undefined, 'neither done nor failed');
});

test('before the on-chain deadline by our clock, nothing is sent', async () => {
  let sent = 0;
  const { run, updates } = runWith(Math.floor(Date.now() / 1000) + 60, async () => {
    sent++;
    return { hash: '0x01' };
  });
  await expire(run, entry);
  assert.equal(sent, 0);
  const notBefore = updates[0]?.data.notBefore;
  assert.ok(
    notBefore instanceof Date && notBefore.getTime() > Date.now() + 50_000,
    'retried at the deadline',
  );
});

test('any other failure is not swallowed', async () => {
  const other = Object.assign(new Error('nope'), { errorName: 'WrongStatus' });
  const { run } = runWith(past, () => Promise.reject(other));
  await assert.rejects(expire(run, entry), /nope/);
});
