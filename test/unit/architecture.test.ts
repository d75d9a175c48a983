// The coordinator's rooms keep their walls: each stage imports only the shared rooms, only
// lifecycle/ writes a status column, and only lifecycle/outbox-entries.ts creates or reschedules an
// outbox row. The protocol floor (shared/) reaches up to no party, and no party into another.
// Dynamic imports count as imports. (README, "Architecture rules".)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../services/shared/paths.js';

const coordinator = join(repoRoot, 'services/coordinator');
const STAGES = ['intake', 'auction', 'assignment', 'provers', 'verification', 'settlement'];
/** What any stage may import, besides its own folder. */
const SHARED = ['lifecycle/', 'context.ts', 'config.ts', 'metrics.ts'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from |import\()'(\.[^']+)'/g)].map((m) =>
    resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')),
  );
}

/** The `data: { … }` objects of a source, with balanced braces. */
function dataObjects(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/data:\s*\{/g)) {
    let depth = 0;
    let i = (m.index ?? 0) + m[0].length - 1;
    const start = i;
    for (; i < source.length; i++) {
      if (source[i] === '{') depth++;
      if (source[i] === '}' && --depth === 0) break;
    }
    out.push(source.slice(start, i + 1));
  }
  return out;
}

test('a stage imports only lifecycle/, context, config, metrics, shared/ and its own folder', () => {
  const wrong: string[] = [];
  for (const stage of STAGES) {
    for (const file of filesUnder(join(coordinator, stage))) {
      for (const target of relativeImports(file)) {
        const rel = relative(coordinator, target);
        const ok =
          !rel.startsWith('..') ||
          relative(join(repoRoot, 'services/shared'), target).startsWith('..') === false;
        const allowed =
          (rel.startsWith('..') && ok) ||
          rel.startsWith(`${stage}/`) ||
          SHARED.some((s) => (s.endsWith('/') ? rel.startsWith(s) : rel === s));
        if (!allowed) wrong.push(`${relative(repoRoot, file)} imports ${rel}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('only lifecycle/ writes a status column', () => {
  const writers = filesUnder(coordinator)
    .filter((f) => dataObjects(readFileSync(f, 'utf8')).some((d) => /\bstatus\b\s*[:,}]/.test(d)))
    .map((f) => relative(coordinator, f));
  assert.ok(writers.length > 0, 'the check finds the writers it allows');
  assert.deepEqual(
    writers.filter((f) => !/^lifecycle\/(\w+-transitions|outbox-entries)\.ts$/.test(f)),
    [],
  );
});

test('only lifecycle/outbox-entries.ts creates or reschedules an outbox row', () => {
  const creators = filesUnder(coordinator)
    .filter((f) => /outboxAction\.(create|update)/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(coordinator, f));
  assert.deepEqual(creators, ['lifecycle/outbox-entries.ts']);
});

test('the README stage table names every stage folder, and only those', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const table = [...readme.matchAll(/^\| (\w+) \| `(\w+)\/` \|/gm)].map((m) => m[2]);
  const folders = readdirSync(coordinator).filter(
    (n) => statSync(join(coordinator, n)).isDirectory() && !['routes', 'dashboard'].includes(n),
  );
  assert.deepEqual([...table].sort(), [...folders].sort());
});

/** Each part of services/ and the parts it must never import. */
const WALLS: Record<string, string[]> = {
  shared: ['coordinator', 'prover', 'watchtower', 'cli', 'devstack', 'infra'],
  prover: ['coordinator', 'watchtower', 'cli', 'devstack'],
  watchtower: ['coordinator', 'prover', 'cli', 'devstack'],
  coordinator: ['prover', 'watchtower', 'cli', 'devstack'],
};

test('the protocol floor (shared/) reaches up to no party, and no party reaches into another', () => {
  const wrong: string[] = [];
  for (const [part, never] of Object.entries(WALLS)) {
    for (const file of filesUnder(join(repoRoot, 'services', part))) {
      if (file.includes('/generated/')) continue;
      for (const target of relativeImports(file)) {
        const into = relative(join(repoRoot, 'services'), target).split('/')[0] ?? '';
        if (never.includes(into))
          wrong.push(`${relative(repoRoot, file)} imports ${relative(repoRoot, target)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('the wall check sees static and dynamic imports, and shorthand status writes', () => {
  const source = "import { a } from './a.js';\nconst b = await import('../b.js');";
  assert.deepEqual(
    [...source.matchAll(/(?:from |import\()'(\.[^']+)'/g)].map((m) => m[1]),
    ['./a.js', '../b.js'],
  );
  assert.ok(dataObjects('update({ data: { status } })').some((d) => /\bstatus\b\s*[:,}]/.test(d)));
});

/** The watchtower's rooms and the other rooms each may import (besides its own, shared/ and the
 *  watchtower's config and metrics): diligence signs what the audit and the mirror found. */
const WATCHTOWER_ROOMS: Record<string, string[]> = {
  deadlines: [],
  audit: [],
  mirror: [],
  diligence: ['audit', 'mirror'],
};

test("the watchtower's rooms keep their walls", () => {
  const watchtower = join(repoRoot, 'services/watchtower');
  const folders = readdirSync(watchtower).filter((n) => statSync(join(watchtower, n)).isDirectory());
  assert.deepEqual(folders.sort(), Object.keys(WATCHTOWER_ROOMS).sort(), 'every room has its rules');
  const wrong: string[] = [];
  for (const [room, may] of Object.entries(WATCHTOWER_ROOMS)) {
    for (const file of filesUnder(join(watchtower, room))) {
      for (const target of relativeImports(file)) {
        const rel = relative(watchtower, target);
        if (rel.startsWith('..') || rel.startsWith(`${room}/`) || ['config.ts', 'metrics.ts'].includes(rel))
          continue;
        if (!may.some((r) => rel.startsWith(`${r}/`)))
          wrong.push(`${relative(repoRoot, file)} imports ${rel}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});
