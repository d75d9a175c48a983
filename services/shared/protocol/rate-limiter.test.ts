import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from './rate-limiter.js';

test('a key spends its burst, then regains tokens at its rate; keys are independent', () => {
  const r = new RateLimiter(2, 3);
  const t = 1_000_000;
  assert.deepEqual(
    [r.take('a', t), r.take('a', t), r.take('a', t), r.take('a', t)],
    [true, true, true, false],
  );
  assert.equal(r.take('b', t), true, 'another key has its own bucket');
  assert.equal(r.take('a', t + 499), false);
  assert.equal(r.take('a', t + 500), true, 'one token back after half a second at 2/s');
});
