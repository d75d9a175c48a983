import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideWinner } from './decide-winner.js';

const at = (ms: number) => new Date(1_000_000 + ms);
let ids = 0;
const bid = (prover: string, price: bigint, ms = 0, deliverySeconds = 60) => ({
  id: ++ids,
  prover,
  price,
  deliverySeconds,
  receivedAt: at(ms),
});

test('second price: lowest wins and is paid the runner-up price', () => {
  const out = decideWinner([bid('a', 30n), bid('b', 10n), bid('c', 20n)], 'SECOND_PRICE', 100n);
  assert.equal(out?.winner.prover, 'b');
  assert.equal(out?.runnerUp?.prover, 'c', 'the runner-up, whose signed bid the Market checks');
  assert.equal(out?.clearingPrice, 20n);
});

test('second price with one bid pays the reserve; first price pays the bid', () => {
  assert.equal(decideWinner([bid('a', 10n)], 'SECOND_PRICE', 50n)?.clearingPrice, 50n);
  const first = decideWinner([bid('a', 10n), bid('b', 40n)], 'FIRST_PRICE', 50n);
  assert.equal(first?.clearingPrice, 10n);
  assert.equal(first?.runnerUp, undefined);
});

test('ties go to the earliest bid; bids above the reserve never win; no bids, no winner', () => {
  assert.equal(
    decideWinner([bid('late', 10n, 5), bid('early', 10n, 1)], 'SECOND_PRICE', 50n)?.winner.prover,
    'early',
  );
  assert.equal(decideWinner([bid('a', 60n)], 'SECOND_PRICE', 50n), undefined);
  assert.equal(decideWinner([], 'FIRST_PRICE', 50n), undefined);
});

test('among equal prices the shorter delivery time wins, before the earlier bid (review N3)', () => {
  const out = decideWinner(
    [bid('slow-early', 10n, 1, 600), bid('fast-late', 10n, 5, 30), bid('cheap-slow', 9n, 9, 900)],
    'SECOND_PRICE',
    50n,
  );
  assert.equal(out?.winner.prover, 'cheap-slow', 'price first: the Market checks the second price');
  assert.equal(out?.runnerUp?.prover, 'fast-late');
  const tie = decideWinner(
    [bid('slow-early', 10n, 1, 600), bid('fast-late', 10n, 5, 30)],
    'FIRST_PRICE',
    50n,
  );
  assert.equal(tie?.winner.prover, 'fast-late');
});
