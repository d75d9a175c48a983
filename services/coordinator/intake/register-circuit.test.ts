// A market that pays for proofs refuses PLONK circuits set up from the development ptau, whose only
// randomness is a public beacon (review N12): anyone could forge their proofs. A real ceremony's
// file (GAVEL_PTAU) is accepted, and a local market may opt in to the development one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPtauAllowed } from './register-circuit.js';

test('the development ptau is refused unless the market opts in; a real ceremony is accepted', () => {
  assert.throws(() => assertPtauAllowed('dev', false), { code: 'DEV_PTAU', message: /anyone can forge/ });
  assert.doesNotThrow(() => assertPtauAllowed('dev', true));
  assert.doesNotThrow(() => assertPtauAllowed('GAVEL_PTAU', false));
  // A ptau this coordinator does not hold cannot be set up at all: the backend says PTAU_MISSING later.
  assert.doesNotThrow(() => assertPtauAllowed(undefined, false));
});
