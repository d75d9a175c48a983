// Prisma CLI configuration: the JS schema engine through the pg adapter (no engine download).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { migrationAdapter } from './pg-adapter.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/gavel';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  adapter: async () => migrationAdapter(databaseUrl),
});
