// An attempt the chain says this prover holds, whose award the agent does not have: handed back
// when the prover never proved it, its payment taken back when it did (an agent restarted after
// acknowledging the award, review N18), and left alone while the agent is busy or the award may
// still come.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { fakeClocks } from '../../shared/chain/fake-clocks.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { BidBook } from '../bidding/bid-book.js';
import { AssignmentWatch } from './assignment-watch.js';

const ME = '0x00000000000000000000000000000000000000aa';

function watchOver(opts: { proved: boolean; busy?: boolean }) {
  const calls = { handedBack: [] as string[], resumed: [] as string[] };
  const event = { args: { jobId: `0x${'11'.repeat(32)}`, attempt: 0n } };
  const market = {
    runner: { provider: { getBlockNumber: async () => 10 } },
    filters: { JobAssigned: () => ({}) },
    queryFilter: async () => [event],
  };
  const chain = { market, job: async () => ({ deadline: 5000, items: 2 }) } as unknown as GavelContracts;
  const clock = fakeClocks(1000);
  const watch = new AssignmentWatch(
    {
      chain,
      me: ME,
      worker: { wasAwarded: () => false, busy: opts.busy ?? false },
      duty: {
        holdsNow: async () => true,
        resumePayment: async (ref) => {
          calls.resumed.push(ref.jobId);
          return opts.proved;
        },
        handBack: async (ref) => {
          calls.handedBack.push(ref.jobId);
        },
      },
      bids: new BidBook(),
      coordinatorUrl: 'http://coordinator',
      log: pino({ level: 'silent' }),
    },
    30,
    clock,
  );
  return { watch, calls, clock };
}

test('an assignment whose award never came is handed back after the grace period, not before', async () => {
  const { watch, calls, clock } = watchOver({ proved: false });
  await watch.tick();
  assert.deepEqual(calls.handedBack, [], 'the award may still come');
  clock.advance(31);
  await watch.tick();
  assert.equal(calls.handedBack.length, 1);
});

test('an attempt proved already is paid, not handed back; a busy agent decides later', async () => {
  const proved = watchOver({ proved: true });
  await proved.watch.tick();
  proved.clock.advance(31);
  await proved.watch.tick();
  await proved.watch.tick();
  assert.equal(proved.calls.resumed.length, 1);
  assert.deepEqual(proved.calls.handedBack, []);
  const busy = watchOver({ proved: false, busy: true });
  await busy.watch.tick();
  busy.clock.advance(31);
  await busy.watch.tick();
  assert.deepEqual([busy.calls.resumed, busy.calls.handedBack], [[], []]);
});
