// Circuit registration: an uploaded Noir artifact becomes a content-addressed circuit with its VK.
import { keccak256 } from 'ethers';
import type { PrismaClient } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import type { ProvingBackend } from '../../shared/proving/backend.js';
import { parseCircuitArtifact } from '../../shared/proving/circuit-artifact.js';
import { prepareCircuit } from '../../shared/proving/circuit-prover.js';

export interface RegisteredCircuit {
  id: string;
  name: string;
  vkHash: string;
  gates: number;
  dyadic: number;
  created: boolean;
}

/** Registers `upload` (idempotent: the same artifact returns the same id). */
export async function registerCircuit(
  prisma: PrismaClient,
  backend: ProvingBackend,
  upload: unknown,
): Promise<RegisteredCircuit> {
  const artifact = parseCircuitArtifact(upload);
  const prepared = await prepareCircuit(backend, artifact).catch((cause) => {
    // A size or CRS refusal keeps its own code; anything else the backend chokes on is a bad upload.
    if (cause instanceof GavelError) throw cause;
    throw new GavelError('INVALID_ARTIFACT', `invalid circuit artifact: the backend cannot load it`, {
      cause,
    });
  });
  const existing = await prisma.circuit.findUnique({ where: { id: prepared.id } });
  if (existing) {
    const { id, name, vkHash, gates, dyadic } = existing;
    return { id, name, vkHash, gates, dyadic, created: false };
  }
  const vkHash = keccak256(prepared.vk);
  await prisma.circuit.upsert({
    where: { id: prepared.id },
    update: {},
    create: {
      id: prepared.id,
      name: artifact.name,
      noirVersion: artifact.noirVersion,
      abi: artifact.abi as object,
      bytecode: artifact.bytecode,
      vk: Buffer.from(prepared.vk),
      vkHash,
      gates: prepared.size.gates,
      dyadic: prepared.size.dyadic,
    },
  });
  return {
    id: prepared.id,
    name: artifact.name,
    vkHash,
    gates: prepared.size.gates,
    dyadic: prepared.size.dyadic,
    created: true,
  };
}
