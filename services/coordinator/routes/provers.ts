import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';

/** Every prover the coordinator has heard from: declared capacity, record, liveness, stake. */
export async function listProvers(ctx: CoordinatorContext) {
  const provers = await ctx.prisma.prover.findMany({ orderBy: { lastSeen: 'desc' } });
  const live = await ctx.liveProvers();
  return Promise.all(
    provers.map(async (p) => {
      const info = await ctx.chain.proverInfo(p.address).catch(() => undefined);
      return {
        address: p.address,
        name: p.name,
        backend: p.backend,
        threads: p.threads,
        maxDyadic: p.maxDyadic,
        gatesPerSec: p.gatesPerSec,
        jobsWon: p.jobsWon,
        failures: p.failures,
        lastSeen: p.lastSeen,
        live: live.has(p.address),
        stakeWei: info?.stake.toString(),
        freeStakeWei: info?.free.toString(),
      };
    }),
  );
}

export const proverRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/provers', { schema: { summary: 'provers, their capacity, record and stake' } }, async () => ({
      provers: await listProvers(ctx),
    }));
  };
