// Every prover the coordinator has heard from: declared capacity, record, liveness and stake.
import type { CoordinatorContext } from '../context.js';

export interface ProverView {
  address: string;
  name: string;
  backend: string;
  threads: number;
  maxDyadic: number;
  gatesPerSec: number;
  jobsWon: number;
  failures: number;
  lastSeen: Date;
  live: boolean;
  stakeWei: string | undefined;
  freeStakeWei: string | undefined;
}

export async function listProvers(ctx: CoordinatorContext): Promise<ProverView[]> {
  const provers = await ctx.prisma.prover.findMany({ orderBy: { lastSeen: 'desc' } });
  const live = await ctx.liveProvers();
  return Promise.all(
    provers.map(async (p) => {
      const info = await ctx.chain.proverInfo(p.address).catch(() => undefined);
      const { address, name, backend, threads, maxDyadic, gatesPerSec, jobsWon, failures, lastSeen } = p;
      return {
        ...{ address, name, backend, threads, maxDyadic, gatesPerSec, jobsWon, failures, lastSeen },
        live: live.has(p.address),
        stakeWei: info?.stake.toString(),
        freeStakeWei: info?.free.toString(),
      };
    }),
  );
}
