// Which refusals of an assignment exclude the winner from the job (never a slash, never counted as
// a failure): its own doing, or a bid that expired although it was checked to outlive the stated
// assignment margin (review N8: otherwise it wins every re-auction and the job is never assigned).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proverAtFault } from './assign.js';

test('a BidExpired, a withdrawn stake or a lost registration exclude the winner; our own errors do not', () => {
  for (const name of ['BidExpired', 'InsufficientFreeStake', 'NotRegistered'])
    assert.equal(proverAtFault(name), true, name);
  for (const name of ['NotCoordinator', 'DeadlinePassed', 'WrongStatus', 'AttemptTooFar'])
    assert.equal(proverAtFault(name), false, name);
});
