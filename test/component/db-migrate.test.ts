// The documented migration command applies to an empty database, and the committed migration is
// exactly what prisma/schema.prisma describes (no drift).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { applyMigrations, createDatabase, dropDatabase } from '../../services/shared/db/migrate.js';
import { repoRoot } from '../../services/shared/paths.js';
import { ADMIN_DATABASE_URL } from '../fixtures/market.js';

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
    const applied = (await client.query('SELECT migration_name FROM "_prisma_migrations" ORDER BY 1')).rows;
    assert.deepEqual(
      applied.map((r) => r.migration_name),
      committedMigrations(),
    );
  } finally {
    await client.end();
  }
});

test('the committed migrations, applied in order, build exactly what prisma/schema.prisma describes', async () => {
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
  // One database from the migrations, one from the schema as it is now: they must be the same.
  const fromMigrations = await createDatabase(ADMIN_DATABASE_URL, `${name}_m`);
  const fromSchema = await createDatabase(ADMIN_DATABASE_URL, `${name}_s`);
  try {
    await applyMigrations(fromMigrations);
    await runSql(fromSchema, diff.stdout);
    assert.deepEqual(
      await describeSchema(fromMigrations),
      await describeSchema(fromSchema),
      'schema.prisma changed: add a migration (see README)',
    );
  } finally {
    await dropDatabase(ADMIN_DATABASE_URL, `${name}_m`);
    await dropDatabase(ADMIN_DATABASE_URL, `${name}_s`);
  }
});

function committedMigrations(): string[] {
  const dir = join(repoRoot, 'prisma/migrations');
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .sort();
}

async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Tables, columns (type, nullability, default), enums, indexes and constraints, sorted. */
async function describeSchema(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows.map((r) => JSON.stringify(r));
    return [
      ...(await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        ORDER BY 1, 2`)),
      ...(await q(`SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
        ORDER BY 1, e.enumsortorder`)),
      ...(await q(`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'
        AND tablename <> '_prisma_migrations' ORDER BY 1, 2`)),
      ...(await q(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        AND conrelid::regclass::text NOT IN ('_prisma_migrations', '"_prisma_migrations"') ORDER BY 1, 2`)),
    ];
  } finally {
    await client.end();
  }
}
