// bb.js UltraHonk behind the ProvingBackend interface, over WASM (in-process) or the native `bb`
// binary shipped inside @aztec/bb.js (a child process reached through a unix socket).
import { gunzipSync } from 'node:zlib';
import { BackendType, Barretenberg } from '@aztec/bb.js';
import { GavelError, ProvingError } from '../errors.js';
import type {
  BackendKind,
  CircuitProgram,
  CircuitSize,
  Proof,
  ProvingBackend,
  SizedProgram,
} from './backend.js';
import { bbBinaryPath, bbWasmPath } from './bb-paths.js';
import { acirBytes, loadCircuit } from './circuit-artifact.js';
import { assertCrsCovers, type CrsSource, locateCrs, pointsNeeded, readCrs } from './crs.js';
import { bytesToHex, hexToBytes, splitFields } from './fields.js';
import {
  checkedTemplate,
  evmSettings,
  type VerifierKind,
  writeOptimizedHonkVerifier,
} from './honk-verifier.js';
import { solveWitness } from './witness.js';

export interface BbBackendOptions {
  kind: BackendKind;
  /** Worker threads (WASM) or HARDWARE_CONCURRENCY (native). Default 1. */
  threads?: number;
  crs?: CrsSource;
}

// The EVM target: a Keccak transcript with zero knowledge, so every proof can also be verified by
// the circuit's Solidity verifier (`bb prove/verify -t evm`). Proving costs the same as Poseidon2.
const SETTINGS = evmSettings('standard');

export class BbBackend implements ProvingBackend {
  readonly system = 'ultrahonk' as const;
  readonly kind: BackendKind;
  readonly threads: number;
  private readonly api: Barretenberg;
  private readonly crs: CrsSource;
  private loadedPoints: number;

  private constructor(
    kind: BackendKind,
    threads: number,
    api: Barretenberg,
    crs: CrsSource,
    loadedPoints: number,
  ) {
    this.kind = kind;
    this.threads = threads;
    this.api = api;
    this.crs = crs;
    this.loadedPoints = loadedPoints;
  }

  /** Starts a backend; for native, the child `bb` process reads its CRS from CRS_PATH. */
  static async create(options: BbBackendOptions): Promise<BbBackend> {
    const threads = options.threads ?? 1;
    const crs = options.crs ?? locateCrs();
    if (options.kind === 'native') {
      // The native process inherits our environment and only honours CRS_PATH there.
      process.env.CRS_PATH = crs.dir;
      const bbPath = bbBinaryPath();
      if (!bbPath)
        throw new GavelError(
          'NO_NATIVE_BB',
          `@aztec/bb.js ships no native bb for ${process.platform}/${process.arch}`,
        );
      const api = await Barretenberg.new({ backend: BackendType.NativeUnixSocket, threads, bbPath });
      return new BbBackend('native', threads, api, crs, Number.POSITIVE_INFINITY);
    }
    const api = await Barretenberg.new({
      backend: BackendType.Wasm,
      threads,
      skipSrsInit: true,
      wasmPath: bbWasmPath,
    });
    const backend = new BbBackend('wasm', threads, api, crs, 0);
    if (!crs.downloadable) await backend.loadPoints(crs.points);
    return backend;
  }

  private async loadPoints(count: number): Promise<void> {
    const { g1, g2 } = await readCrs(this.crs, count);
    await this.api.srsInitSrs({ pointsBuf: g1, numPoints: g1.length / 64, g2Point: g2 });
    this.loadedPoints = g1.length / 64;
  }

  private async ensureCrs({ name, dyadic }: SizedProgram): Promise<void> {
    assertCrsCovers(this.crs, dyadic, name);
    if (pointsNeeded(dyadic) > this.loadedPoints) await this.loadPoints(pointsNeeded(dyadic));
  }

  async circuitSize(program: CircuitProgram): Promise<CircuitSize> {
    const stats = await this.api.circuitStats({
      circuit: { name: program.name, bytecode: program.code, verificationKey: new Uint8Array() },
      includeGatesPerOpcode: false,
      settings: SETTINGS,
    });
    return { gates: stats.numGates, dyadic: stats.numGatesDyadic };
  }

  async verificationKey(program: SizedProgram): Promise<Uint8Array> {
    await this.ensureCrs(program);
    const circuit = { name: program.name, bytecode: program.code };
    const vk = await this.api.circuitComputeVk({ circuit, settings: SETTINGS });
    return vk.bytes;
  }

  /** The Solidity source of the verifier of `vk` of template `kind` (the optimized one is written
   *  by the native bb: a WASM backend starts one for the call), checked to be that template. */
  async solidityVerifier(vk: Uint8Array, kind: VerifierKind = 'optimized'): Promise<string> {
    if (kind === 'optimized' && this.kind === 'wasm') return writeOptimizedHonkVerifier(vk);
    const { solidityCode } = await this.api.circuitWriteSolidityVerifier({
      verificationKey: vk,
      settings: evmSettings(kind),
    });
    return checkedTemplate(solidityCode, kind);
  }

  async prove(program: SizedProgram, witness: Uint8Array, vk: Uint8Array): Promise<Proof> {
    await this.ensureCrs(program);
    const { name, dyadic } = program;
    try {
      const result = await this.api.circuitProve({
        circuit: { name, bytecode: program.code, verificationKey: vk },
        witness: gunzipSync(witness),
        settings: SETTINGS,
      });
      const proof = new Uint8Array(result.proof.length * 32);
      result.proof.forEach((field, i) => {
        proof.set(field, i * 32);
      });
      return { proof, publicInputs: result.publicInputs.map(bytesToHex) };
    } catch (cause) {
      // WASM out-of-memory surfaces as "unreachable": say what it likely means.
      const oom = /unreachable|memory/i.test(String(cause));
      throw new ProvingError(
        oom
          ? `${this.kind} backend ran out of memory proving ${name} (dyadic size ${dyadic})`
          : `${this.kind} backend failed to prove ${name} (dyadic size ${dyadic})`,
        { cause, retryable: !oom, details: { circuit: name, dyadic, backend: this.kind } },
      );
    }
  }

  /**
   * True or false only for a clean verdict. bb also throws on a malformed proof (a non-canonical
   * field, say): that is "invalid" only once a known-good proof still verifies on this backend;
   * if it does not, the verifier itself is broken and a retryable ProvingError says so, since an
   * error of ours must never count against a prover.
   */
  async verify(proof: Proof, vk: Uint8Array): Promise<boolean> {
    if (proof.proof.length === 0 || proof.proof.length % 32 !== 0) return false;
    try {
      return await this.verifyOnce(proof, vk);
    } catch (cause) {
      if (await this.referenceVerifies()) return false;
      throw new ProvingError(`${this.kind} verifier failed and fails a known-good proof too`, {
        cause,
        retryable: true,
      });
    }
  }

  private async verifyOnce(proof: Proof, vk: Uint8Array): Promise<boolean> {
    const { verified } = await this.api.circuitVerify({
      verificationKey: vk,
      publicInputs: proof.publicInputs.map(hexToBytes),
      proof: splitFields(proof.proof),
      settings: SETTINGS,
    });
    return verified;
  }

  private reference: { proof: Proof; vk: Uint8Array } | undefined;

  /** Whether this backend still verifies a proof it made itself (tiny_square, made once). */
  private async referenceVerifies(): Promise<boolean> {
    try {
      if (!this.reference) {
        const artifact = loadCircuit('tiny_square');
        const program = { name: artifact.name, code: acirBytes(artifact) };
        const sized = { ...program, dyadic: (await this.circuitSize(program)).dyadic };
        const vk = await this.verificationKey(sized);
        const { witness } = await solveWitness(artifact, { x: '3', y: '9' });
        this.reference = { proof: await this.prove(sized, witness, vk), vk };
      }
      return await this.verifyOnce(this.reference.proof, this.reference.vk);
    } catch {
      return false;
    }
  }

  async destroy(): Promise<void> {
    await this.api.destroy();
  }
}
