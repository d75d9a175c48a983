import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Announcement } from '../../shared/protocol/messages.js';
import { decideBid, exposureProblem } from './price-policy.js';

// Wall time (ms) of the announcement; the chain's clock reads the same in these tests.
const now = 1_000_000;
const announcement: Announcement = {
  jobId: `0x${'1'.repeat(64)}`,
  attempt: 0,
  round: 0,
  circuitId: `0x${'2'.repeat(64)}`,
  proofSystem: 'ultrahonk',
  vkHash: `0x${'3'.repeat(64)}`,
  gates: 1000,
  dyadic: 1024,
  batchSize: 2,
  deadline: (now + 60_000) / 1000,
  reserveWei: '1000000',
  collateralWei: '1',
  closesAt: now + 1000,
  // The close (at +1 s) plus 3 s to mine the assignment, in chain seconds.
  assignBy: (now + 1000) / 1000 + 3,
  rule: 'SECOND_PRICE',
  inputsHash: `0x${'4'.repeat(64)}`,
  coordinatorUrl: 'http://x',
  mirrors: [],
};
const policy = {
  minPriceWei: 100n,
  pricePerGateWei: 10n,
  maxDyadic: 4096,
  gatesPerSec: 1000,
  marginMs: 1000,
  maxJobCollateralWei: 10n ** 18n,
  deliveryMarginSeconds: 30,
};

test('bids the larger of the minimum and the per-gate price', () => {
  assert.deepEqual(decideBid(announcement, policy, now), {
    bid: true,
    price: 20_000n,
    provingMs: 2000,
    deliverySeconds: 34,
  });
  assert.deepEqual(decideBid(announcement, { ...policy, minPriceWei: 50_000n }, now), {
    bid: true,
    price: 50_000n,
    provingMs: 2000,
    deliverySeconds: 34,
  });
});

test('refuses work above its size limit, above the reserve, or too slow for the deadline', () => {
  assert.match(
    (decideBid({ ...announcement, dyadic: 8192 }, policy, now) as { reason: string }).reason,
    /exceeds/,
  );
  assert.match(
    (decideBid({ ...announcement, reserveWei: '10' }, policy, now) as { reason: string }).reason,
    /above the reserve/,
  );
  assert.match(
    (decideBid(announcement, { ...policy, gatesPerSec: 10 }, now) as { reason: string }).reason,
    /misses the deadline/,
  );
});

test('refuses a job whose collateral is above its limit per job, or past its total at risk', () => {
  const big = { ...announcement, collateralWei: (2n * 10n ** 18n).toString() };
  assert.match(
    (decideBid(big, policy, now) as { reason: string }).reason,
    /above this prover's limit per job/,
  );
  assert.equal(decideBid({ ...announcement, collateralWei: (10n ** 18n).toString() }, policy, now).bid, true);
  assert.equal(exposureProblem(3n, { maxLockedWei: 10n, lockedWei: 7n }), undefined);
  assert.match(exposureProblem(4n, { maxLockedWei: 10n, lockedWei: 7n }) ?? '', /on top of 7 locked/);
});

test("the delivery time signed fits before the job's deadline, or there is no bid (review N3)", () => {
  // 60 s deadline, close at +1 s, assignment within 3 s: at most 56 s fits.
  const long = { ...policy, deliveryMarginSeconds: 300 };
  assert.equal((decideBid(announcement, long, now) as { deliverySeconds: number }).deliverySeconds, 56);
  // 2 s of proving and 1 s of margin need 3 s: a deadline 4 s after the close leaves none.
  const tight = { ...announcement, deadline: (now + 5_000) / 1000 };
  assert.match((decideBid(tight, policy, now) as { reason: string }).reason, /assignment mined by 1004/);
  const fits = { ...announcement, deadline: (now + 7_000) / 1000 };
  assert.equal((decideBid(fits, policy, now) as { deliverySeconds: number }).deliverySeconds, 3);
});
