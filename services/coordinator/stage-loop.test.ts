// A timed stage whose run never returns (a call with no answer) must not keep the coordinator from
// stopping: stop() waits for it only so long.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StageLoop } from './stage-loop.js';

test('stop() gives up on a run that never returns, and waits for one that does', async () => {
  const stuck = new StageLoop(() => new Promise<void>(() => undefined), 10);
  stuck.kick();
  const started = Date.now();
  assert.equal(await stuck.stop(100), false);
  assert.ok(Date.now() - started < 2000, 'stop returned');

  let finished = false;
  const quick = new StageLoop(async () => {
    await new Promise((r) => setTimeout(r, 30));
    finished = true;
  }, 10);
  quick.kick();
  assert.equal(await quick.stop(5000), true);
  assert.equal(finished, true);
});
