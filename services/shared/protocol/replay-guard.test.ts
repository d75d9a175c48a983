import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplayGuard } from './replay-guard.js';

test('a message is accepted once, in order, and only near now', () => {
  const g = new ReplayGuard(60_000, 2);
  const now = 1_000_000_000;
  assert.equal(g.check('p', now, now), undefined);
  assert.match(g.check('p', now, now) ?? '', /replayed/);
  assert.match(g.check('p', now - 1, now) ?? '', /replayed/);
  assert.equal(g.check('p', now + 1, now), undefined);
  assert.match(g.check('q', now - 61_000, now) ?? '', /more than 60 s/);
  assert.match(g.check('q', now + 61_000, now) ?? '', /more than 60 s/);
  // Bounded: the oldest key is forgotten first.
  assert.equal(g.check('a', now, now), undefined);
  assert.equal(g.check('b', now, now), undefined);
  assert.equal(g.check('p', now + 1, now), undefined, 'p was forgotten');
});
