// A coordinator outside local development never runs its market on open NATS (review N9): without
// the account seed that issues prover credentials it refuses to start, before it opens anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../shared/config.js';
import { coordinatorSettings } from './config.js';
import { openResources } from './resources.js';

const required = {
  databaseUrl: 'postgresql://nobody@127.0.0.1:1/none',
  coordinatorKey: `0x${'11'.repeat(32)}`,
  deploymentFile: '/nonexistent/deployment.json',
};

test('no NATS account seed: the coordinator refuses to start unless told it is local development', async () => {
  const config = loadConfig(coordinatorSettings, {}, required);
  assert.equal(config.openNats, false);
  await assert.rejects(openResources(config, pino({ level: 'silent' })), {
    code: 'BAD_CONFIG',
    message: /refusing to run a market on open NATS/,
  });
  // Told it is local development, it goes on (and here stops at the missing deployment file).
  const dev = loadConfig(coordinatorSettings, {}, { ...required, openNats: '1' });
  await assert.rejects(
    openResources(dev, pino({ level: 'silent' })),
    (err: Error) => !/open NATS/.test(err.message),
  );
});
