// Compiled circuits: Noir programs (UltraHonk) and circom ones (PLONK, in plonk/circom-artifact.ts),
// loading the repo's artifacts and checking uploaded ones.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Abi, AbiType } from '@noir-lang/types';
import { GavelError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { canonicalJson } from '../protocol/canonical-json.js';
import type { CircuitProgram, ProofSystem } from './backend.js';
import {
  type CircomArtifact,
  circomContentId,
  circomProgram,
  isCircomArtifact,
  parseCircomArtifact,
} from './plonk/circom-artifact.js';

export interface CircuitArtifact {
  name: string;
  noirVersion: string;
  abi: Abi;
  /** base64 of gzip-compressed ACIR, as noir_wasm emits it. */
  bytecode: string;
}

export const circuitsTargetDir = join(repoRoot, 'circuits', 'target');

/** The JSON of a circuit compiled by `npm run build` (circuits/target/<name>.json). */
function readCompiled(name: string): unknown {
  const file = join(circuitsTargetDir, `${name}.json`);
  if (!existsSync(file)) {
    throw new GavelError(
      'UNKNOWN_CIRCUIT',
      `no compiled circuit ${name} in ${circuitsTargetDir} (run npm run build)`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Loads a Noir circuit compiled by `npm run build`. */
export function loadCircuit(name: string): CircuitArtifact {
  return parseCircuitArtifact(readCompiled(name));
}

/** Largest uncompressed ACIR accepted by default (a gzip bomb is stopped at this size). */
export const MAX_ACIR_BYTES = 32 * 1024 * 1024;

/**
 * Validates an artifact's shape (from disk or an upload) and returns it typed. Its bytecode is
 * decompressed at most to `maxAcirBytes`: beyond that, ARTIFACT_TOO_LARGE, without inflating more.
 */
export function parseCircuitArtifact(value: unknown, maxAcirBytes = MAX_ACIR_BYTES): CircuitArtifact {
  const bad = (why: string) => new GavelError('INVALID_ARTIFACT', `invalid circuit artifact: ${why}`);
  if (typeof value !== 'object' || value === null) throw bad('not a JSON object');
  const v = value as Record<string, unknown>;
  if (typeof v.bytecode !== 'string' || v.bytecode.length === 0) throw bad('missing bytecode');
  const abi = v.abi as Record<string, unknown> | undefined;
  if (typeof abi !== 'object' || abi === null || !Array.isArray(abi.parameters))
    throw bad('missing abi.parameters');
  const name = typeof v.name === 'string' && v.name.length > 0 ? v.name : 'circuit';
  const noirVersion = typeof v.noirVersion === 'string' ? v.noirVersion : String(v.noir_version ?? 'unknown');
  try {
    acirBytes({ name, noirVersion, abi: v.abi as Abi, bytecode: v.bytecode }, maxAcirBytes);
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new GavelError(
        'ARTIFACT_TOO_LARGE',
        `invalid circuit artifact: its ACIR decompresses to more than ${maxAcirBytes} bytes`,
        {
          cause,
          details: { maxAcirBytes },
        },
      );
    }
    throw bad('bytecode is not base64 of gzip-compressed ACIR');
  }
  return { name, noirVersion, abi: v.abi as Abi, bytecode: v.bytecode };
}

/** The uncompressed ACIR program that bb.js consumes (never inflated past `maxBytes`). */
export function acirBytes(artifact: CircuitArtifact, maxBytes = MAX_ACIR_BYTES): Uint8Array {
  return new Uint8Array(gunzipSync(Buffer.from(artifact.bytecode, 'base64'), { maxOutputLength: maxBytes }));
}

/** The part of an ABI that decides how inputs are encoded and what is public: parameters and
 *  return type, each with only the keys noirc_abi defines (error messages and extra keys dropped).
 *  An ABI of another shape is INVALID_ARTIFACT. */
export function abiIdentity(abi: Abi): unknown {
  try {
    return identityOf(abi);
  } catch (cause) {
    if (cause instanceof GavelError) throw cause;
    throw new GavelError('INVALID_ARTIFACT', 'invalid circuit artifact: its ABI is malformed', { cause });
  }
}

function identityOf(abi: Abi): unknown {
  const type = (t: AbiType): unknown => {
    switch (t.kind) {
      case 'field':
      case 'boolean':
        return { kind: t.kind };
      case 'integer':
        return { kind: t.kind, sign: t.sign, width: t.width };
      case 'string':
        return { kind: t.kind, length: t.length };
      case 'array':
        return { kind: t.kind, length: t.length, type: type(t.type) };
      case 'tuple':
        return { kind: t.kind, fields: t.fields.map(type) };
      case 'struct':
        return {
          kind: t.kind,
          path: t.path,
          fields: t.fields.map((f) => ({ name: f.name, type: type(f.type) })),
        };
      default:
        throw new GavelError(
          'INVALID_ARTIFACT',
          `invalid circuit artifact: unknown ABI type ${JSON.stringify(t)}`,
        );
    }
  };
  return {
    parameters: abi.parameters.map((p) => ({ name: p.name, type: type(p.type), visibility: p.visibility })),
    return_type: abi.return_type
      ? { abi_type: type(abi.return_type.abi_type), visibility: abi.return_type.visibility }
      : null,
  };
}

/** Content id of a circuit: sha256 of its decompressed ACIR and canonical ABI identity, so neither
 *  re-compressing the program nor adding keys to the ABI makes a new circuit. */
export function circuitContentId(artifact: CircuitArtifact): string {
  const h = createHash('sha256')
    .update(acirBytes(artifact))
    .update(canonicalJson(abiIdentity(artifact.abi)));
  return `0x${h.digest('hex')}`;
}

/** A circuit of either proof system: a Noir program (UltraHonk) or a circom one (PLONK). */
export type AnyCircuitArtifact = CircuitArtifact | CircomArtifact;

export function proofSystemOf(artifact: AnyCircuitArtifact): ProofSystem {
  return 'system' in artifact && artifact.system === 'plonk' ? 'plonk' : 'ultrahonk';
}

export function isCircom(artifact: AnyCircuitArtifact): artifact is CircomArtifact {
  return proofSystemOf(artifact) === 'plonk';
}

/** Parses an artifact of either system (a circom one says `"system": "plonk"`). */
export function parseAnyArtifact(value: unknown, maxBytes = MAX_ACIR_BYTES): AnyCircuitArtifact {
  return isCircomArtifact(value)
    ? parseCircomArtifact(value, maxBytes)
    : parseCircuitArtifact(value, maxBytes);
}

/** Loads a compiled circuit of either system from circuits/target. */
export function loadAnyCircuit(name: string): AnyCircuitArtifact {
  return parseAnyArtifact(readCompiled(name));
}

export function anyContentId(artifact: AnyCircuitArtifact): string {
  return isCircom(artifact) ? circomContentId(artifact) : circuitContentId(artifact);
}

/** What a backend of the artifact's system proves. */
export function programOf(artifact: AnyCircuitArtifact): CircuitProgram {
  return isCircom(artifact) ? circomProgram(artifact) : { name: artifact.name, code: acirBytes(artifact) };
}
