// Powers of tau for PLONK: a production file named by GAVEL_PTAU, or a reproducible development
// ceremony made here (`gavel setup ptau --power N`) and cached.
//
// The development ceremony is NOT a trusted setup. Its only contribution is a public beacon, so
// anyone can recompute tau and forge proofs for circuits set up with it. It exists so a market can
// run PLONK jobs offline; production circuits must use a real ceremony's file (for example the
// Hermez/Polygon powersOfTau28_hez_final_N.ptau) through GAVEL_PTAU.
//
// The file made here is prepared for PLONK only: it holds the Lagrange basis of tau·G1 (section
// 12, what `snarkjs plonk setup` reads) and not the G2/alpha/beta bases Groth16 would need, which
// are four times the work.
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathSetting } from '../../config.js';
import { GavelError } from '../../errors.js';
import { withSnarkjs } from './snarkjs.js';

/** The public beacon of the development ceremony (sha256 of "gavel development ceremony"). */
export const DEV_BEACON = createHash('sha256').update('gavel development ceremony').digest('hex');
const DEV_BEACON_ITERATIONS_EXP = 10;
export const MAX_PTAU_POWER = 20;

export interface PtauFile {
  path: string;
  power: number;
  /** sha256 of the file: part of every PLONK circuit's identity. */
  hash: string;
  origin: 'GAVEL_PTAU' | 'dev';
}

export function ptauCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return pathSetting('ptauCache', env) || join(homedir(), '.cache', 'gavel', 'ptau');
}

export function devPtauPath(power: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(ptauCacheDir(env), `gavel-dev-${power}.ptau`);
}

/** sha256 of a file, remembered beside it (a ptau file is tens of MB and never changes). */
export async function fileHash(path: string): Promise<string> {
  const sidecar = `${path}.sha256`;
  if (existsSync(sidecar)) return readFileSync(sidecar, 'utf8').trim();
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const hex = `0x${hash.digest('hex')}`;
  writeFileSync(sidecar, hex);
  return hex;
}

/** Reads the power a ptau file was made for (its header, section 1). */
export function ptauPower(path: string): number {
  const head = readFileSync(path).subarray(0, 64);
  if (head.subarray(0, 4).toString('latin1') !== 'ptau') {
    throw new GavelError('INVALID_PTAU', `${path} is not a powers-of-tau file`);
  }
  // "ptau", version u32, nSections u32, then section 1: id u32, size u64, n8 u32, q (n8 bytes), power u32.
  const n8 = head.readUInt32LE(24);
  return head.readUInt32LE(28 + n8);
}

/**
 * The ptau to set up a circuit of `power` with: GAVEL_PTAU when set (it must be at least that
 * large), else the cached development file of exactly that power. PTAU_MISSING says how to get one.
 */
export async function locatePtau(power: number, env: NodeJS.ProcessEnv = process.env): Promise<PtauFile> {
  const named = pathSetting('ptau', env) || undefined;
  if (named) {
    if (!existsSync(named))
      throw new GavelError('PTAU_MISSING', `GAVEL_PTAU names ${named}, which does not exist`);
    const have = ptauPower(named);
    if (have < power) {
      throw new GavelError(
        'PTAU_TOO_SMALL',
        `GAVEL_PTAU (${named}) has power ${have}; this circuit needs ${power}`,
      );
    }
    return { path: named, power: have, hash: await fileHash(named), origin: 'GAVEL_PTAU' };
  }
  const path = devPtauPath(power, env);
  if (!existsSync(path)) {
    throw new GavelError(
      'PTAU_MISSING',
      `no powers of tau of power ${power}: run gavel setup ptau --power ${power} (a development ceremony, ` +
        'not for production), or set GAVEL_PTAU to a real ceremony file',
    );
  }
  return { path, power, hash: await fileHash(path), origin: 'dev' };
}

/** Finds the ptau whose hash is `hash` (GAVEL_PTAU or a cached development file), or undefined. */
export async function ptauByHash(
  hash: string,
  power: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PtauFile | undefined> {
  const named = pathSetting('ptau', env) || undefined;
  for (const candidate of [named, devPtauPath(power, env)]) {
    if (!candidate || !existsSync(candidate)) continue;
    if ((await fileHash(candidate)).toLowerCase() === hash.toLowerCase()) {
      const origin = candidate === named ? 'GAVEL_PTAU' : 'dev';
      return { path: candidate, power: ptauPower(candidate), hash, origin };
    }
  }
  return undefined;
}

/**
 * Makes (or returns the cached) development ptau of `power`: a fresh accumulator, one public
 * beacon contribution, then the Lagrange basis of tau·G1 for every power up to `power`.
 * Deterministic: every machine gets the same bytes, hence the same hash.
 */
export async function makeDevPtau(
  power: number,
  env: NodeJS.ProcessEnv = process.env,
  progress: (step: string) => void = () => {},
): Promise<PtauFile> {
  if (!Number.isInteger(power) || power < 1 || power > MAX_PTAU_POWER) {
    throw new GavelError('INVALID_ARGUMENT', `--power must be an integer from 1 to ${MAX_PTAU_POWER}`);
  }
  const path = devPtauPath(power, env);
  if (existsSync(path)) return { path, power, hash: await fileHash(path), origin: 'dev' };
  mkdirSync(ptauCacheDir(env), { recursive: true });
  const work = `${path}.${process.pid}`;
  try {
    await withSnarkjs(async (js) => {
      // The process's shared curve: released by withSnarkjs when idle, never terminated here.
      const curve = await js.curves.getCurveFromName('bn128');
      progress(`accumulator of 2^${power}`);
      await js.powersOfTau.newAccumulator(curve, power, `${work}.0`);
      progress('beacon contribution');
      await js.powersOfTau.beacon(
        `${work}.0`,
        `${work}.1`,
        'gavel dev beacon',
        DEV_BEACON,
        DEV_BEACON_ITERATIONS_EXP,
      );
      progress('Lagrange basis for PLONK');
      const { preparePlonkPhase2 } = await import('./ptau-lagrange.js');
      await preparePlonkPhase2(`${work}.1`, `${work}.2`, curve, progress);
    });
    renameSync(`${work}.2`, path);
  } finally {
    for (const f of [`${work}.0`, `${work}.1`, `${work}.2`]) rmSync(f, { force: true });
  }
  return { path, power, hash: await fileHash(path), origin: 'dev' };
}
