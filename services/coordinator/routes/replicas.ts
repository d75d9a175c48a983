// /v1/replicas: the coordinator replicas running now, whichever one answers.
import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';
import { arrayOf, errorReplies, object, str } from './schemas.js';

const replicaReply = object({ address: str, url: str, startedAt: str });

export const replicaRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/replicas',
      {
        schema: {
          summary:
            'coordinator replicas running now (their keys, URLs and start times), and which one answered',
          response: { 200: object({ self: str, replicas: arrayOf(replicaReply) }), ...errorReplies },
        },
      },
      async () => ({
        self: (await ctx.signer.getAddress()).toLowerCase(),
        replicas: await ctx.replicas.list(),
      }),
    );
  };
