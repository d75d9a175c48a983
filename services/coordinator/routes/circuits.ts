import type { FastifyPluginAsync } from 'fastify';
import type { CoordinatorContext } from '../context.js';
import { requestError } from '../http-errors.js';
import { registerCircuit } from '../intake/register-circuit.js';

const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^0x[0-9a-f]{64}$' } },
} as const;

const circuitSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    vkHash: { type: 'string' },
    gates: { type: 'integer' },
    dyadic: { type: 'integer' },
    created: { type: 'boolean' },
  },
} as const;

export const circuitRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.post(
      '/circuits',
      {
        schema: {
          body: {
            type: 'object',
            required: ['bytecode', 'abi'],
            properties: { name: { type: 'string', maxLength: 128 } },
          },
          response: { 201: circuitSummary, 200: circuitSummary },
        },
      },
      async (req, reply) => {
        const registered = await registerCircuit(ctx.prisma, ctx.verifier, req.body);
        return reply.status(registered.created ? 201 : 200).send(registered);
      },
    );

    app.get<{ Params: { id: string } }>('/circuits/:id', { schema: { params: idParam } }, async (req) => {
      const c = await ctx.prisma.circuit.findUnique({ where: { id: req.params.id } });
      if (!c) throw requestError('UNKNOWN_CIRCUIT', `no circuit ${req.params.id}`);
      return {
        id: c.id,
        name: c.name,
        noirVersion: c.noirVersion,
        vkHash: c.vkHash,
        gates: c.gates,
        dyadic: c.dyadic,
        abi: c.abi,
        vk: Buffer.from(c.vk).toString('base64'),
        createdAt: c.createdAt,
      };
    });

    // The compiled artifact, for provers (content-addressed: its id is the hash of what is served).
    app.get<{ Params: { id: string } }>(
      '/circuits/:id/artifact',
      { schema: { params: idParam } },
      async (req) => {
        const c = await ctx.prisma.circuit.findUnique({ where: { id: req.params.id } });
        if (!c) throw requestError('UNKNOWN_CIRCUIT', `no circuit ${req.params.id}`);
        return { name: c.name, noirVersion: c.noirVersion, abi: c.abi, bytecode: c.bytecode };
      },
    );
  };
