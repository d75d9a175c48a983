// Every error code the coordinator's code (and the shared code under it) can throw is either a
// request's fault with its HTTP status, or declared ours (a 500 that hides its message): a new code
// thrown without either is a request answered 500 for no reason (INVALID_VK was one).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GavelError } from '../../shared/errors.js';
import { repoRoot } from '../../shared/paths.js';
import { httpStatusOf, OUR_FAULT } from './error-mapping.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

test('every code thrown has a status, or is declared ours', () => {
  const thrown = new Set<string>();
  for (const dir of ['services/coordinator', 'services/shared']) {
    for (const file of sources(join(repoRoot, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/GavelError\(\s*'([A-Z_]+)'/g))
        thrown.add(m[1] as string);
    }
  }
  assert.ok(thrown.size > 40, `codes found: ${thrown.size}`);
  const undeclared = [...thrown].filter(
    (code) => !OUR_FAULT.has(code) && httpStatusOf(new GavelError(code, '')) === 500,
  );
  assert.deepEqual(undeclared, []);
  const both = [...OUR_FAULT].filter((code) => httpStatusOf(new GavelError(code, '')) !== 500);
  assert.deepEqual(both, [], "a code is either ours or the request's");
  assert.equal(httpStatusOf(new GavelError('INVALID_VK', '')), 422);
});
