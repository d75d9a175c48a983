// One job the chain will not act on must not stop the watchtower's round (review N2: a frozen job
// made every round fail at it, 52 times in one run, and no later deadline was enforced).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { ContractRevertError } from '../../shared/chain/contract-errors.js';
import { WatchtowerMetrics } from '../metrics.js';
import type { Enforcement } from './deadline-book.js';
import { DeadlineEnforcer } from './deadline-enforcer.js';

function enforcerOver(due: Enforcement[], fails: (jobId: string) => Error | undefined) {
  const sent: string[] = [];
  const reread: string[] = [];
  const send = async (jobId: string) => {
    const err = fails(jobId);
    if (err) throw err;
    sent.push(jobId);
    return { logs: [], hash: `0x${jobId}` } as never;
  };
  const book = {
    size: due.length,
    refresh: async () => {},
    due: () => due,
    reread: async (jobId: string) => {
      reread.push(jobId);
    },
  };
  const metrics = new WatchtowerMetrics();
  const enforcer = new DeadlineEnforcer(
    { slashLate: send, expire: send },
    book,
    () => 0n,
    metrics,
    pino({ level: 'silent' }),
  );
  return { enforcer, sent, reread, metrics };
}

test('a job whose enforcement fails is logged and skipped; the round goes on to the others', async () => {
  const due: Enforcement[] = [
    { jobId: 'frozen', action: 'slash_late' },
    { jobId: 'late', action: 'slash_late' },
    { jobId: 'expired', action: 'expire' },
  ];
  const panic = new Error('execution reverted: Panic(0x11)');
  const { enforcer, sent, metrics } = enforcerOver(due, (id) => (id === 'frozen' ? panic : undefined));
  await enforcer.round(1000);
  assert.deepEqual(sent, ['late', 'expired']);
  assert.equal(enforcer.enforced, 2);
  const failed = (await metrics.actions.get()).values.find((v) => v.labels.outcome === 'failed');
  assert.equal(failed?.value, 1);
});

test('somebody else enforcing first is not a failure, and the job is read again', async () => {
  const due: Enforcement[] = [{ jobId: 'taken', action: 'expire' }];
  const taken = new ContractRevertError('WrongStatus', ['taken', 5], new Error('reverted'));
  const { enforcer, reread, metrics } = enforcerOver(due, () => taken);
  await enforcer.round(1000);
  assert.deepEqual(reread, ['taken']);
  const outcomes = (await metrics.actions.get()).values.map((v) => v.labels.outcome);
  assert.deepEqual(outcomes, ['taken']);
});
