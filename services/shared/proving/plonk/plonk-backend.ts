// snarkjs PLONK (BN254, proved in WASM) behind the same ProvingBackend interface as bb.js.
// A circuit is its R1CS plus the powers of tau it is set up from; the proving key (zkey) is
// derived from both, deterministically, by every party that needs it, and cached on disk.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GavelError, ProvingError } from '../../errors.js';
import { canonicalJson } from '../../protocol/canonical-json.js';
import type { CircuitProgram, CircuitSize, Proof, ProvingBackend, SizedProgram } from '../backend.js';
import type { VerifierKind } from '../honk-verifier.js';
import { decodePlonkProof, encodePlonkProof } from './plonk-proof.js';
import { plonkVerifierSource } from './plonk-solidity.js';
import { ptauByHash, ptauCacheDir } from './ptau.js';
import { type MemFile, snarkjs, withSnarkjs } from './snarkjs.js';

interface ProvingKey {
  zkey: Uint8Array;
  vk: Record<string, unknown>;
  /** PLONK gates of the circuit, as `snarkjs plonk setup` counts them. */
  gates: number;
}

/** A logger for snarkjs that keeps what Gavel needs: "Plonk constraints: N", and the errors it
 *  reports instead of throwing (a circuit too big for the ptau, an unprepared ptau). */
function constraintCounter() {
  const counter = {
    gates: 0,
    errors: [] as string[],
    info(message: string) {
      const m = /Plonk constraints: (\d+)/.exec(message);
      if (m) counter.gates = Number(m[1]);
    },
    debug() {},
    warn() {},
    error(message: string) {
      counter.errors.push(message);
    },
  };
  return counter;
}

function sha256(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The vk JSON a verification key's bytes hold (canonical JSON, as verificationKey returns). */
export function plonkVk(vk: Uint8Array): Record<string, unknown> {
  const parsed = JSON.parse(Buffer.from(vk).toString('utf8')) as Record<string, unknown>;
  if (parsed.protocol !== 'plonk') throw new GavelError('INVALID_VK', 'not a PLONK verification key');
  return parsed;
}

export function fieldHex(decimal: string): string {
  return `0x${BigInt(decimal).toString(16).padStart(64, '0')}`;
}

export interface PlonkBackendOptions {
  threads?: number;
  diskCache?: boolean;
}

export class PlonkBackend implements ProvingBackend {
  readonly system = 'plonk' as const;
  readonly kind = 'wasm' as const;
  readonly threads: number;
  private readonly keys = new Map<string, Promise<ProvingKey>>();
  /** Keep proving keys on disk (under GAVEL_PTAU_CACHE/zkeys); off to time a real setup. */
  private readonly diskCache: boolean;

  constructor(options: PlonkBackendOptions = {}) {
    this.threads = options.threads ?? 1;
    this.diskCache = options.diskCache ?? true;
  }

  /** Loads snarkjs now (it is optional): NO_PLONK when it is not installed. */
  static async create(options: PlonkBackendOptions = {}): Promise<PlonkBackend> {
    await snarkjs();
    return new PlonkBackend(options);
  }

  private setupOf(program: CircuitProgram) {
    if (!program.ptau) {
      throw new GavelError('INVALID_ARTIFACT', `PLONK circuit ${program.name} names no powers of tau`);
    }
    return program.ptau;
  }

  /** The proving key of `program`: from memory, the disk cache, or `snarkjs plonk setup`. */
  private provingKey(program: CircuitProgram): Promise<ProvingKey> {
    const { hash, power } = this.setupOf(program);
    const id = sha256(program.code, hash);
    let key = this.keys.get(id);
    if (!key) {
      key = this.setup(program, id, hash, power);
      key.catch(() => this.keys.delete(id));
      this.keys.set(id, key);
    }
    return key;
  }

  private async setup(
    program: CircuitProgram,
    id: string,
    ptauHash: string,
    power: number,
  ): Promise<ProvingKey> {
    const dir = join(ptauCacheDir(), 'zkeys');
    const file = join(dir, `${id}.zkey`);
    let zkey: Uint8Array;
    let gates: number;
    if (this.diskCache && existsSync(file) && existsSync(`${file}.gates`)) {
      zkey = new Uint8Array(readFileSync(file));
      gates = Number(readFileSync(`${file}.gates`, 'utf8'));
    } else {
      const ptau = await ptauByHash(ptauHash, power);
      if (!ptau) {
        throw new GavelError(
          'PTAU_MISSING',
          `circuit ${program.name} is set up from powers of tau ${ptauHash} (power ${power}), which this machine ` +
            `does not have: run gavel setup ptau --power ${power}, or set GAVEL_PTAU to that file`,
        );
      }
      const out: MemFile = { type: 'mem' };
      const counter = constraintCounter();
      // snarkjs reports a circuit too big for the ptau (or an unprepared ptau) by returning -1.
      const code = await withSnarkjs((js) =>
        js.plonk.setup({ type: 'mem', data: program.code }, ptau.path, out, counter),
      );
      if (code === -1 || !out.data) {
        throw new GavelError(
          'PLONK_SETUP_FAILED',
          `PLONK setup of ${program.name} from ${ptau.path} failed: ${counter.errors.join('; ') || 'no key produced'}`,
        );
      }
      zkey = out.data;
      gates = counter.gates;
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${file}.${process.pid}`, zkey);
      renameSync(`${file}.${process.pid}`, file);
      writeFileSync(`${file}.gates`, String(gates));
    }
    const vk = await withSnarkjs((js) => js.zKey.exportVerificationKey({ type: 'mem', data: zkey }));
    return { zkey, vk, gates };
  }

  async circuitSize(program: CircuitProgram): Promise<CircuitSize> {
    const { vk, gates } = await this.provingKey(program);
    const dyadic = 2 ** Number(vk.power);
    return { gates: gates || dyadic, dyadic };
  }

  async verificationKey(program: SizedProgram): Promise<Uint8Array> {
    const { vk } = await this.provingKey(program);
    return new Uint8Array(Buffer.from(canonicalJson(vk)));
  }

  /** snarkjs's PLONK verifier behind Gavel's adapter: PLONK has this one template (standard). */
  async solidityVerifier(vk: Uint8Array, kind: VerifierKind = 'standard'): Promise<string> {
    if (kind !== 'standard')
      throw new GavelError('VERIFIER_KIND_UNSUPPORTED', `PLONK has only the standard verifier, not ${kind}`);
    return plonkVerifierSource(plonkVk(vk));
  }

  async prove(program: SizedProgram, witness: Uint8Array): Promise<Proof> {
    const { zkey } = await this.provingKey(program);
    try {
      const { proof, publicSignals } = await withSnarkjs((js) =>
        js.plonk.prove({ type: 'mem', data: zkey }, { type: 'mem', data: witness }),
      );
      return { proof: encodePlonkProof(proof), publicInputs: publicSignals.map(fieldHex) };
    } catch (cause) {
      throw new ProvingError(`PLONK backend failed to prove ${program.name}`, {
        cause,
        retryable: true,
        details: { circuit: program.name, dyadic: program.dyadic, backend: 'plonk' },
      });
    }
  }

  /** True or false for a clean verdict; a malformed proof (wrong length, a value off the curve or
   *  the field) is false. Only snarkjs failing to load throws. */
  async verify(proof: Proof, vk: Uint8Array): Promise<boolean> {
    const json = decodePlonkProof(proof.proof);
    if (!json) return false;
    let publicSignals: string[];
    try {
      publicSignals = proof.publicInputs.map((x) => BigInt(x).toString());
    } catch {
      return false;
    }
    const key = plonkVk(vk);
    if (publicSignals.length !== Number(key.nPublic)) return false;
    try {
      return await withSnarkjs((js) => js.plonk.verify(key, publicSignals, json));
    } catch (err) {
      if (err instanceof GavelError) throw err; // NO_PLONK: an error of ours, never an invalid proof
      return false;
    }
  }

  async destroy(): Promise<void> {
    this.keys.clear();
  }
}
