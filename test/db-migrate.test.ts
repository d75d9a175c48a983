// The documented migration command applies to an empty database, and the committed migration is
// exactly what prisma/schema.prisma describes (no drift).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { createDatabase, dropDatabase } from '../services/shared/db/migrate.js';
import { repoRoot } from '../services/shared/paths.js';
import { ADMIN_DATABASE_URL } from './fixtures/market.js';

const name = `gavel_migrate_${process.pid}`;
after(() => dropDatabase(ADMIN_DATABASE_URL, name));

test('npm run db:migrate creates every table in an empty database', async () => {
  const url = await createDatabase(ADMIN_DATABASE_URL, name);
  const run = spawnSync('npm', ['run', 'db:migrate'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = (
      await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      )
    ).rows.map((r) => r.table_name);
    for (const t of [
      'Job',
      'BatchItem',
      'Auction',
      'Bid',
      'Assignment',
      'Proof',
      'Prover',
      'Settlement',
      'OutboxAction',
      'Circuit',
    ]) {
      assert.ok(tables.includes(t), `table ${t} missing: ${tables.join(', ')}`);
    }
    const applied = (await client.query('SELECT migration_name FROM "_prisma_migrations"')).rows;
    assert.deepEqual(
      applied.map((r) => r.migration_name),
      ['0001_init'],
    );
  } finally {
    await client.end();
  }
});

test('the committed migrations match prisma/schema.prisma', () => {
  const diff = spawnSync(
    'npx',
    [
      'prisma',
      'migrate',
      'diff',
      '--config',
      'prisma/prisma.config.ts',
      '--from-empty',
      '--to-schema-datamodel',
      'prisma/schema.prisma',
      '--script',
    ],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, DATABASE_URL: ADMIN_DATABASE_URL } },
  );
  assert.equal(diff.status, 0, diff.stderr);
  const committed = readFileSync(join(repoRoot, 'prisma/migrations/0001_init/migration.sql'), 'utf8');
  assert.equal(diff.stdout.trim(), committed.trim(), 'schema.prisma changed: add a migration (see README)');
});
