// Registered circuits: a stored row ⇄ the artifact and VK the backends work with, with a cache of
// prepared circuits (circuits are content-addressed, so an entry never goes stale).
import type { Abi } from '@noir-lang/types';
import type { db, PrismaClient } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import { proofSystemOfRow } from '../../shared/proving/backend.js';
import { type AnyCircuitArtifact, programOf } from '../../shared/proving/circuit-artifact.js';
import type { PreparedCircuit } from '../../shared/proving/circuit-prover.js';
import { parseCircomArtifact } from '../../shared/proving/plonk/circom-artifact.js';

const prepared = new Map<string, PreparedCircuit>();

/** The artifact (Noir, or circom for PLONK) a stored circuit was registered from. */
export function artifactOf(row: db.Circuit): AnyCircuitArtifact {
  if (row.proofSystem === 'PLONK') return parseCircomArtifact(row.circom);
  return {
    name: row.name,
    noirVersion: row.noirVersion,
    abi: row.abi as unknown as Abi,
    bytecode: row.bytecode,
  };
}

/** The stored circuit `id`; UNKNOWN_CIRCUIT when there is none. */
export async function findCircuit(prisma: PrismaClient, id: string): Promise<db.Circuit> {
  const row = await prisma.circuit.findUnique({ where: { id } });
  if (!row) throw new GavelError('UNKNOWN_CIRCUIT', `no circuit ${id}; register it first`);
  return row;
}

/** Circuit `id` ready for a backend (ACIR, size, VK), from the cache or the database. */
export async function preparedCircuit(prisma: PrismaClient, id: string): Promise<PreparedCircuit> {
  const cached = prepared.get(id);
  if (cached) return cached;
  const row = await findCircuit(prisma, id);
  const artifact = artifactOf(row);
  const circuit: PreparedCircuit = {
    id: row.id,
    artifact,
    ...programOf(artifact),
    dyadic: row.dyadic,
    size: { gates: row.gates, dyadic: row.dyadic },
    vk: new Uint8Array(row.vk),
  };
  prepared.set(id, circuit);
  return circuit;
}

/** A circuit's public description (with its VK, base64). */
export async function circuitDetails(prisma: PrismaClient, id: string) {
  const c = await findCircuit(prisma, id);
  const { name, noirVersion, vkHash, verifier, verifierKind, gates, dyadic, abi, createdAt } = c;
  return {
    id: c.id,
    name,
    proofSystem: proofSystemOfRow(c),
    noirVersion,
    vkHash,
    verifier,
    verifierKind,
    gates,
    dyadic,
    abi,
    vk: Buffer.from(c.vk).toString('base64'),
    createdAt,
  };
}
