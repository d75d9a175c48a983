// The Prisma client over the pg driver adapter (no native query engine), and Prisma error sorting.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';
export * as db from './generated/client.js';

export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}

/** A unique-constraint violation (a duplicate), which callers often treat as "already done". */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === 'P2002';
}

/** Conflicts worth retrying: pool timeout, transaction API error, write conflict/deadlock. */
export function isRetryable(err: unknown): boolean {
  return ['P2024', 'P2028', 'P2034'].includes((err as { code?: string })?.code ?? '');
}
