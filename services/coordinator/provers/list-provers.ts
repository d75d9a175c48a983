// Every prover the coordinator has heard from: declared capacity, record, liveness and stake.
import type { CoordinatorContext } from '../context.js';

export interface ProverView {
  address: string;
  name: string;
  backend: string;
  threads: number;
  maxDyadic: number;
  gatesPerSec: number;
  proofSystems: string[];
  plonkGatesPerSec: number;
  jobsWon: number;
  failures: number;
  lastSeen: Date;
  live: boolean;
  stakeWei: string | undefined;
  freeStakeWei: string | undefined;
}

/** How long a prover's on-chain stake is reused: the API and the dashboard's once-a-second push
 *  must not cost RPC calls per prover per request. */
const STAKE_TTL_MS = 5000;
type StakeInfo = Awaited<ReturnType<CoordinatorContext['chain']['proverInfo']>> | undefined;
const stakes = new WeakMap<CoordinatorContext, Map<string, { info: StakeInfo; until: number }>>();

async function stakeOf(ctx: CoordinatorContext, address: string): Promise<StakeInfo> {
  const cache = stakes.get(ctx) ?? new Map<string, { info: StakeInfo; until: number }>();
  stakes.set(ctx, cache);
  const hit = cache.get(address);
  if (hit && hit.until > Date.now()) return hit.info;
  const info = await ctx.chain.proverInfo(address).catch(() => undefined);
  cache.set(address, { info, until: Date.now() + STAKE_TTL_MS });
  return info;
}

export async function listProvers(ctx: CoordinatorContext): Promise<ProverView[]> {
  const provers = await ctx.prisma.prover.findMany({ orderBy: { lastSeen: 'desc' } });
  const live = await ctx.liveProvers();
  return Promise.all(
    provers.map(async (p) => {
      const info = await stakeOf(ctx, p.address);
      const { address, name, backend, threads, maxDyadic, gatesPerSec, jobsWon, failures, lastSeen } = p;
      const { proofSystems, plonkGatesPerSec } = p;
      return {
        ...{ address, name, backend, threads, maxDyadic, gatesPerSec, jobsWon, failures, lastSeen },
        ...{ proofSystems, plonkGatesPerSec },
        live: live.has(p.address),
        stakeWei: info?.stake.toString(),
        freeStakeWei: info?.free.toString(),
      };
    }),
  );
}
