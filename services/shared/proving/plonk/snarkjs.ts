// snarkjs (PLONK on BN254) is an optional, GPL-3.0 dependency: it is loaded only when a PLONK
// circuit is registered, proved or verified, and its absence is a clear error, not a crash.
import { GavelError } from '../../errors.js';

// snarkjs ships no types; this is the part of its API Gavel uses.
export interface MemFile {
  type: 'mem';
  data?: Uint8Array;
}
export type PlonkProofJson = Record<string, unknown> & { protocol: 'plonk'; curve: string };
export interface SnarkJs {
  plonk: {
    setup(r1cs: MemFile | string, ptau: string, zkey: MemFile | string, logger?: unknown): Promise<number>;
    prove(
      zkey: MemFile | string,
      witness: MemFile | string,
    ): Promise<{ proof: PlonkProofJson; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: string[], proof: unknown, logger?: unknown): Promise<boolean>;
  };
  zKey: { exportVerificationKey(zkey: MemFile | string): Promise<Record<string, unknown>> };
  wtns: {
    calculate(input: unknown, wasm: MemFile | string, wtns: MemFile | string): Promise<void>;
    exportJson(wtns: MemFile | string): Promise<unknown[]>;
  };
  r1cs: {
    info(r1cs: MemFile | string): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number }>;
  };
  powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string): Promise<unknown>;
    beacon(
      oldPtau: string,
      newPtau: string,
      name: string,
      beaconHash: string,
      iterationsExp: number,
    ): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string): Promise<void>;
  };
  curves: { getCurveFromName(name: string): Promise<Bn128> };
}

/** The BN254 curve as ffjavascript gives it (the part Gavel uses). */
export interface Bn128 {
  G1: {
    zeroAffine: Uint8Array;
    lagrangeEvaluations(buff: unknown, inType: string, outType: string): Promise<unknown>;
  };
  terminate(): Promise<void>;
}

let loaded: Promise<SnarkJs> | undefined;

/** snarkjs, imported on first use; NO_PLONK when the optional dependency is not installed. */
export function snarkjs(): Promise<SnarkJs> {
  loaded ??= import('snarkjs').then(
    (m) => m as unknown as SnarkJs,
    (cause) => {
      loaded = undefined;
      throw new GavelError(
        'NO_PLONK',
        'PLONK needs the optional dependency snarkjs (GPL-3.0): npm install snarkjs@0.7.6',
        { cause },
      );
    },
  );
  return loaded;
}

// snarkjs keeps one BN254 curve per process, with a worker thread per core, and never stops it:
// a process that used it would never exit. Every use goes through withSnarkjs, and the curve is
// terminated once nothing has used it for a moment (the next use builds a new one).
const CURVE_IDLE_MS = 1000;
let inFlight = 0;
let idleTimer: NodeJS.Timeout | undefined;

function releaseCurveWhenIdle(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (inFlight > 0) return;
    const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
    void holder.curve_bn128?.terminate().catch(() => undefined);
  }, CURVE_IDLE_MS);
  idleTimer.unref();
}

/** Runs `work` with snarkjs (NO_PLONK when it is not installed). */
export async function withSnarkjs<T>(work: (js: SnarkJs) => Promise<T>): Promise<T> {
  const js = await snarkjs();
  inFlight++;
  clearTimeout(idleTimer);
  try {
    return await work(js);
  } finally {
    inFlight--;
    if (inFlight === 0) releaseCurveWhenIdle();
  }
}
