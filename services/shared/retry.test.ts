// The retry helper: tries until the operation succeeds or the policy gives up (then the last error
// is thrown as it was), pausing as the policy says; pollUntil answers false once its time is up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearBackoff, pollUntil, retry } from './retry.js';

test('retry: tries again while the policy allows, and returns the first success', async () => {
  const seen: number[] = [];
  const value = await retry(
    async (tries) => {
      seen.push(tries);
      if (tries < 3) throw new Error(`try ${tries}`);
      return 'done';
    },
    { shouldRetry: () => true, delayMs: 1 },
  );
  assert.equal(value, 'done');
  assert.deepEqual(seen, [1, 2, 3]);
});

test('retry: a failure the policy refuses is thrown as it was, with no further try', async () => {
  let calls = 0;
  const wrong = new Error('not worth another try');
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw calls === 1 ? new Error('transient') : wrong;
      },
      { shouldRetry: (err) => (err as Error).message === 'transient', delayMs: 1 },
    ),
    (err) => err === wrong,
  );
  assert.equal(calls, 2);
});

test('retry: the policy sees the tries made, and the pause grows with them', async () => {
  const pauses: number[] = [];
  const backoff = linearBackoff(2, 5);
  await assert.rejects(
    retry(
      async () => {
        throw new Error('always');
      },
      {
        shouldRetry: (_err, tries) => tries < 4,
        delayMs: (tries) => {
          pauses.push(backoff(tries));
          return backoff(tries);
        },
      },
    ),
    /always/,
  );
  assert.deepEqual(pauses, [2, 4, 5], 'three pauses between four tries, capped at 5 ms');
});

test('pollUntil: true once the check holds, false when the time runs out first', async () => {
  let n = 0;
  assert.equal(await pollUntil(() => ++n >= 3, { everyMs: 1, timeoutMs: 5_000 }), true);
  assert.equal(n, 3);
  assert.equal(await pollUntil(async () => false, { everyMs: 5, timeoutMs: 20 }), false);
});
