// Circom circuits proved with PLONK: the compiled R1CS and witness generator (WASM), the power of
// tau their proving key needs, and, once registered, the hash of the ptau it was set up from.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GavelError, InvalidInputsError, UnsatisfiedCircuitError } from '../../errors.js';
import { canonicalJson } from '../../protocol/canonical-json.js';
import type { CircuitProgram } from '../backend.js';
import { MAX_PTAU_POWER } from './ptau.js';
import { type MemFile, withSnarkjs } from './snarkjs.js';

export interface CircomArtifact {
  system: 'plonk';
  name: string;
  circomVersion: string;
  /** The power of tau the PLONK domain needs (2^ptauPower ≥ its constraints). */
  ptauPower: number;
  /** Public inputs by name, in the order proofs carry them. */
  publicInputs: string[];
  /** base64 of gzip-compressed R1CS. */
  r1cs: string;
  /** base64 of gzip-compressed witness generator (circom's WASM). */
  wasm: string;
  /** sha256 of the ptau file the proving key is set up from (set when it is registered). */
  ptauHash?: string;
  /** For batch_transfer statements: tree depth and batch size. */
  batch?: { depth: number; batchSize: number };
}

/** Largest uncompressed R1CS or witness generator accepted (a gzip bomb stops here). */
export const MAX_R1CS_BYTES = 64 * 1024 * 1024;

export function isCircomArtifact(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { system?: unknown }).system === 'plonk';
}

function inflate(base64: string, maxBytes: number, what: string): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(Buffer.from(base64, 'base64'), { maxOutputLength: maxBytes }));
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new GavelError(
        'ARTIFACT_TOO_LARGE',
        `invalid circuit artifact: its ${what} decompresses to more than ${maxBytes} bytes`,
        {
          cause,
        },
      );
    }
    throw new GavelError('INVALID_ARTIFACT', `invalid circuit artifact: ${what} is not base64 of gzip`, {
      cause,
    });
  }
}

/** Validates a circom artifact's shape (from disk or an upload) and returns it typed. */
export function parseCircomArtifact(value: unknown, maxBytes = MAX_R1CS_BYTES): CircomArtifact {
  const bad = (why: string) => new GavelError('INVALID_ARTIFACT', `invalid circuit artifact: ${why}`);
  const v = value as Record<string, unknown>;
  if (typeof v.r1cs !== 'string' || typeof v.wasm !== 'string')
    throw bad('a PLONK circuit needs r1cs and wasm');
  const power = v.ptauPower;
  if (typeof power !== 'number' || !Number.isInteger(power) || power < 1 || power > MAX_PTAU_POWER)
    throw bad(`ptauPower must be an integer from 1 to ${MAX_PTAU_POWER}`);
  const publicInputs = v.publicInputs;
  if (
    !Array.isArray(publicInputs) ||
    publicInputs.length === 0 ||
    !publicInputs.every((p) => typeof p === 'string')
  )
    throw bad('publicInputs must name at least one public input');
  if (v.ptauHash !== undefined && (typeof v.ptauHash !== 'string' || !/^0x[0-9a-f]{64}$/i.test(v.ptauHash)))
    throw bad('ptauHash must be a 0x-prefixed sha256');
  inflate(v.r1cs, maxBytes, 'r1cs');
  inflate(v.wasm, maxBytes, 'wasm');
  return {
    system: 'plonk',
    name: typeof v.name === 'string' && v.name.length > 0 ? v.name : 'circuit',
    circomVersion: typeof v.circomVersion === 'string' ? v.circomVersion : 'unknown',
    ptauPower: power,
    publicInputs: publicInputs as string[],
    r1cs: v.r1cs,
    wasm: v.wasm,
    ...(v.ptauHash ? { ptauHash: (v.ptauHash as string).toLowerCase() } : {}),
    ...(batchOf(v.batch) ? { batch: batchOf(v.batch) } : {}),
  };
}

function batchOf(value: unknown): { depth: number; batchSize: number } | undefined {
  const b = value as { depth?: unknown; batchSize?: unknown } | undefined;
  if (!b || !Number.isInteger(b.depth) || !Number.isInteger(b.batchSize)) return undefined;
  return { depth: b.depth as number, batchSize: b.batchSize as number };
}

/** Content id: sha256 of the decompressed R1CS and witness generator and the setup (ptau hash and
 *  power), so re-compressing either is not a new circuit. */
export function circomContentId(artifact: CircomArtifact): string {
  const setup = {
    publicInputs: artifact.publicInputs,
    ptauPower: artifact.ptauPower,
    ptauHash: artifact.ptauHash ?? null,
    batch: artifact.batch ?? null,
  };
  const h = createHash('sha256')
    .update('plonk')
    .update(inflate(artifact.r1cs, MAX_R1CS_BYTES, 'r1cs'))
    .update(inflate(artifact.wasm, MAX_R1CS_BYTES, 'wasm'));
  return `0x${h.update(canonicalJson(setup)).digest('hex')}`;
}

/** What the PLONK backend proves: the R1CS and the ptau its key comes from. */
export function circomProgram(artifact: CircomArtifact): CircuitProgram {
  if (!artifact.ptauHash) {
    throw new GavelError(
      'INVALID_ARTIFACT',
      `PLONK circuit ${artifact.name} names no ptau (register it first)`,
    );
  }
  return {
    name: artifact.name,
    code: inflate(artifact.r1cs, MAX_R1CS_BYTES, 'r1cs'),
    ptau: { hash: artifact.ptauHash, power: artifact.ptauPower },
  };
}

/**
 * Solves the witness of `inputs` with the circuit's generator. InvalidInputsError when inputs do
 * not fit its signals; UnsatisfiedCircuitError when they break a constraint.
 */
export async function solveCircomWitness(
  artifact: CircomArtifact,
  inputs: unknown,
): Promise<{ witness: Uint8Array; publicInputs: string[] }> {
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))
    throw new InvalidInputsError(`inputs of circuit ${artifact.name} must be a JSON object of signals`);
  const wasm: MemFile = { type: 'mem', data: inflate(artifact.wasm, MAX_R1CS_BYTES, 'wasm') };
  const out: MemFile = { type: 'mem' };
  try {
    await withSnarkjs((js) => js.wtns.calculate(inputs, wasm, out));
  } catch (cause) {
    if (cause instanceof GavelError) throw cause; // NO_PLONK
    const message = cause instanceof Error ? cause.message : String(cause);
    if (/assert/i.test(message)) {
      throw new UnsatisfiedCircuitError(
        `inputs do not satisfy circuit ${artifact.name}: ${message.split('\n')[0]}`,
        {
          cause,
        },
      );
    }
    throw new InvalidInputsError(`inputs rejected by circuit ${artifact.name}: ${message.split('\n')[0]}`, {
      cause,
    });
  }
  if (!out.data) throw new InvalidInputsError(`circuit ${artifact.name} produced no witness`);
  const values = (await withSnarkjs((js) => js.wtns.exportJson(out))) as bigint[];
  const publicInputs = values
    .slice(1, 1 + artifact.publicInputs.length)
    .map((v) => `0x${BigInt(v).toString(16).padStart(64, '0')}`);
  return { witness: out.data, publicInputs };
}
