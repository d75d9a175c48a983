// /v1/circuits: register a circuit (a Noir artifact for UltraHonk, a circom one for PLONK), read a
// circuit, fetch its artifact (for provers).
import type { FastifyPluginAsync } from 'fastify';
import { signedReadOf } from '../../shared/protocol/request-auth.js';
import { VERIFIER_KINDS, type VerifierKind } from '../../shared/proving/honk-verifier.js';
import type { CoordinatorContext } from '../context.js';
import { noticeCircuit } from '../intake/circuit-notice.js';
import { artifactOf, circuitDetails, findCircuit } from '../intake/circuit-store.js';
import { registerCircuit } from '../intake/register-circuit.js';
import { anyJson, bool, date, errorReplies, idParam, int, nullableStr, object, str } from './schemas.js';

const circuitSummary = object({
  id: str,
  name: str,
  proofSystem: str,
  vkHash: str,
  verifier: str,
  verifierKind: str,
  gates: int,
  dyadic: int,
  created: bool,
  verifierPaidBy: nullableStr,
});
const circuitReply = object({
  id: str,
  name: str,
  proofSystem: str,
  noirVersion: str,
  vkHash: str,
  verifier: nullableStr,
  verifierKind: str,
  gates: int,
  dyadic: int,
  abi: anyJson,
  vk: str,
  createdAt: date,
});
// A Noir artifact ({ name, noirVersion, abi, bytecode }) or a circom one ({ system: 'plonk', … }).
const artifactReply = { type: 'object', additionalProperties: true } as const;

export const circuitRoutes =
  (ctx: CoordinatorContext): FastifyPluginAsync =>
  async (app) => {
    app.post(
      '/circuits',
      {
        schema: {
          summary:
            'register a compiled circuit: a Noir artifact (UltraHonk), or a circom one with system "plonk" and its ptau hash (idempotent: the same artifact keeps its id). Signed by the uploader (x-gavel-signature over "Gavel register circuit" with the content id, the template, the deployed verifier and x-gavel-at). A new VK needs a verifier the uploader deployed and registered (?deployed=), unless this coordinator sponsors the uploader (402 VERIFIER_NOT_PAID otherwise)',
          body: {
            type: 'object',
            properties: { name: { type: 'string', maxLength: 128 } },
          },
          querystring: {
            type: 'object',
            properties: {
              verifier: {
                type: 'string',
                enum: [...VERIFIER_KINDS],
                description:
                  "the verifier template (UltraHonk: optimized by default, about 4.5x cheaper per proof; standard: bb.js's audited default; PLONK: standard only)",
              },
              deployed: {
                type: 'string',
                pattern: '^0x[0-9a-fA-F]{40}$',
                description:
                  "a verifier the uploader deployed and registered for the circuit's vkHash itself, at its own cost (checked to be the one the VK builds)",
              },
            },
            additionalProperties: false,
          },
          response: { 201: circuitSummary, 200: circuitSummary, ...errorReplies },
        },
      },
      async (req, reply) => {
        const { maxAcirBytes, maxGates, registerTimeoutMs: timeoutMs, allowDevPtau } = ctx.config;
        const { verifier, deployed } = req.query as { verifier?: VerifierKind; deployed?: string };
        const { sponsoredUploaders } = ctx.config;
        const limits = { maxAcirBytes, maxGates, timeoutMs, allowDevPtau, sponsoredUploaders };
        const { at, signature } = signedReadOf(req.headers);
        const registered = await registerCircuit(ctx.prisma, ctx.chain, ctx.intake, req.body, limits, {
          ...(verifier ? { kind: verifier } : {}),
          ...(deployed ? { deployed } : {}),
          at,
          ...(signature ? { signature } : {}),
        });
        noticeCircuit(ctx, registered);
        return reply.status(registered.created ? 201 : 200).send(registered);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/circuits/:id',
      {
        schema: {
          summary: 'a registered circuit and its VK',
          params: idParam,
          response: { 200: circuitReply, ...errorReplies },
        },
      },
      async (req) => circuitDetails(ctx.prisma, req.params.id.toLowerCase()),
    );

    // Content-addressed: the circuit's id is the hash of what is served.
    app.get<{ Params: { id: string } }>(
      '/circuits/:id/artifact',
      {
        schema: {
          summary: 'the compiled artifact, for provers',
          params: idParam,
          response: { 200: artifactReply, ...errorReplies },
        },
      },
      async (req) => artifactOf(await findCircuit(ctx.prisma, req.params.id.toLowerCase())),
    );
  };
