import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GavelError, ProvingError } from '../../shared/errors.js';
import { afterFailure, stillFits } from './award-worker.js';

test('a retryable proving error is retried (a few times), anything else is given up', () => {
  const transient = new ProvingError('native bb crashed', { retryable: true });
  const oom = new ProvingError('out of memory at dyadic 2^20', { retryable: false });
  assert.equal(afterFailure(transient, false, 1), 'retry');
  assert.equal(afterFailure(transient, false, 2), 'retry');
  assert.equal(afterFailure(transient, false, 3), 'give-up');
  assert.equal(afterFailure(oom, false, 1), 'give-up');
  assert.equal(afterFailure(new GavelError('CONTENT_MISMATCH', 'inputs hash'), false, 1), 'give-up');
  assert.equal(afterFailure(oom, true, 1), 'hand-back', 'a stopping agent hands every award back');
});

test('the rest of a job fits the attempt deadline only with time in hand (review N4)', () => {
  assert.equal(stillFits(1000, 3, 9), true, '3 s of proving and 5 s in hand fit in 9 s');
  assert.equal(stillFits(1000, 3, 7), false);
  assert.equal(stillFits(1000, 0, 5), true);
});
