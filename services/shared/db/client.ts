// The Prisma client over the pg driver adapter (no native query engine), and Prisma error sorting.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

// The generated client defines a global `__dirname` for its own start-up; left in place it sends
// other packages (bb.js's WASM thread workers) looking for their files in the wrong folder.
delete (globalThis as { __dirname?: string }).__dirname;

export type { PrismaClient } from './generated/client.js';
export * as db from './generated/client.js';

export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}

/** A unique-constraint violation (a duplicate), which callers often treat as "already done". */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as {
    code?: string;
    meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } };
  };
  if (e?.code === 'P2002') return true;
  // A raw statement's unique violation (Postgres 23505), as Prisma reports it through the adapter.
  const cause = e?.meta?.driverAdapterError?.cause;
  return (
    e?.code === 'P2010' &&
    (e.meta?.code === '23505' ||
      cause?.originalCode === '23505' ||
      cause?.kind === 'UniqueConstraintViolation')
  );
}
