// Prisma CLI configuration: the JS schema engine through the pg adapter (no engine download).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { migrationAdapter } from './pg-adapter.js';

// schema.prisma reads env("DATABASE_URL"); without it the CLI falls back to a native engine it
// would have to download, so a default is set for commands that need no database (generate, diff).
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
const databaseUrl = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  adapter: async () => migrationAdapter(databaseUrl),
});
