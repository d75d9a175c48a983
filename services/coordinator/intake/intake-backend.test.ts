import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acirBytes, loadCircuit } from '../../shared/proving/circuit-artifact.js';
import { IntakeBackend } from './intake-backend.js';

test('a measurement past its time limit is abandoned and the next one runs on a fresh backend', async () => {
  const intake = new IntakeBackend();
  try {
    await assert.rejects(
      intake.run(() => new Promise(() => undefined), 200),
      (e: Error & { code?: string }) => e.code === 'REGISTRATION_TIMEOUT',
    );
    const tiny = loadCircuit('tiny_square');
    const size = await intake.run((b) => b.circuitSize({ name: tiny.name, code: acirBytes(tiny) }), 30_000);
    assert.ok(size.gates > 0);
  } finally {
    await intake.destroy();
  }
});
