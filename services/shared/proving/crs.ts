// Where the BN254 reference string comes from, how many points it has, and loading it.
// Order: CRS_PATH if set, else ../shared/crs beside the checkout when present, else bb.js's own
// download into ~/.bb-crs. A local folder with points is authoritative: circuits needing more
// points than it holds are refused up front (no download attempt, no hang).
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Crs } from '@aztec/bb.js';
import { CrsTooSmallError } from '../errors.js';
import { repoRoot } from '../paths.js';

export type CrsOrigin = 'CRS_PATH' | 'shared' | 'download';

export interface CrsSource {
  dir: string;
  origin: CrsOrigin;
  /** G1 points present on disk (uncompressed 64-byte points). */
  points: number;
  /** True when bb.js may fetch missing points (no local points were found). */
  downloadable: boolean;
}

const G1_POINT_BYTES = 64;
export const sharedCrsDir = resolve(repoRoot, '../shared/crs');

function g1PointsIn(dir: string): number {
  const file = join(dir, 'bn254_g1.dat');
  if (!existsSync(file) || !existsSync(join(dir, 'bn254_g2.dat'))) return 0;
  return Math.floor(statSync(file).size / G1_POINT_BYTES);
}

/** Finds the reference string to use, following CRS_PATH → ../shared/crs → download. */
export function locateCrs(env: NodeJS.ProcessEnv = process.env): CrsSource {
  const fromEnv = env.CRS_PATH;
  if (fromEnv) {
    const points = g1PointsIn(fromEnv);
    return { dir: resolve(fromEnv), origin: 'CRS_PATH', points, downloadable: points === 0 };
  }
  const shared = g1PointsIn(sharedCrsDir);
  if (shared > 0) return { dir: sharedCrsDir, origin: 'shared', points: shared, downloadable: false };
  return { dir: join(homedir(), '.bb-crs'), origin: 'download', points: 0, downloadable: true };
}

/** Points a circuit of this dyadic size needs (one more than its size, as bb.js counts them). */
export function pointsNeeded(dyadicSize: number): number {
  return dyadicSize + 1;
}

/** The largest dyadic circuit size `source` can serve (2^25 when it can download what it needs). */
export function largestDyadic(source: CrsSource): number {
  if (source.downloadable) return 2 ** 25;
  return 2 ** Math.floor(Math.log2(Math.max(source.points - 1, 1)));
}

/** Throws CrsTooSmallError naming both sizes when `source` cannot serve a circuit of `dyadicSize`. */
export function assertCrsCovers(source: CrsSource, dyadicSize: number, circuit: string): void {
  const needed = pointsNeeded(dyadicSize);
  if (source.downloadable || needed <= source.points) return;
  const largest = largestDyadic(source);
  throw new CrsTooSmallError(
    `circuit ${circuit} has dyadic size ${dyadicSize} and needs ${needed} CRS points, but ${source.dir} ` +
      `(${source.origin}) holds ${source.points} (largest provable dyadic size ${largest}); ` +
      'point CRS_PATH at a folder with more points, or at an empty folder on a machine with internet',
    { circuit, dyadicSize, needed, available: source.points, dir: source.dir },
  );
}

/** Reads `numPoints` G1 points and the G2 point, downloading through bb.js when allowed. */
export async function readCrs(
  source: CrsSource,
  numPoints: number,
): Promise<{ g1: Uint8Array; g2: Uint8Array }> {
  if (source.downloadable) {
    const crs = await Crs.new(numPoints, source.dir);
    return { g1: crs.getG1Data(), g2: crs.getG2Data() };
  }
  const count = Math.min(numPoints, source.points);
  const g1 = new Uint8Array(count * G1_POINT_BYTES);
  const fd = openSync(join(source.dir, 'bn254_g1.dat'), 'r');
  try {
    readSync(fd, g1, 0, g1.length, 0);
  } finally {
    closeSync(fd);
  }
  return { g1, g2: new Uint8Array(readFileSync(join(source.dir, 'bn254_g2.dat'))) };
}
