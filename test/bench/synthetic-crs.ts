// Timing-only reference string for prove_curve sizes beyond the real offline points: the real
// Ignition points first, then independent random curve points r·G (see ../shared/crs/README.md).
// Both bb.js backends accept it and its proofs (correctly) fail verification, so every figure
// taken with it is labelled `verifiable: false`. Cached in the temp folder: built once per machine.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bn254 } from '@noble/curves/bn254';
import type { CrsSource } from '../../services/shared/proving/crs.js';

const POINT_BYTES = 64;

function to32(x: bigint): Buffer {
  return Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
}

/** A CRS folder with `points` G1 points: the real ones of `real`, then random r·G. */
export function syntheticCrs(real: CrsSource, points: number, log: (s: string) => void): CrsSource {
  const dir = join(tmpdir(), `gavel-synthetic-crs-${points}`);
  const g1File = join(dir, 'bn254_g1.dat');
  if (existsSync(g1File) && existsSync(join(dir, 'bn254_g2.dat'))) {
    return { dir, origin: 'CRS_PATH', points, downloadable: false };
  }
  mkdirSync(dir, { recursive: true });
  const table = Buffer.alloc(points * POINT_BYTES);
  const fd = openSync(join(real.dir, 'bn254_g1.dat'), 'r');
  try {
    readSync(fd, table, 0, real.points * POINT_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  log(`building a timing-only CRS: ${real.points} real + ${points - real.points} random points (once)`);
  const G = bn254.ProjectivePoint.BASE;
  for (let i = real.points; i < points; i++) {
    const r = (BigInt(`0x${randomBytes(32).toString('hex')}`) % (bn254.CURVE.n - 1n)) + 1n;
    const { x, y } = G.multiply(r).toAffine();
    to32(x).copy(table, i * POINT_BYTES);
    to32(y).copy(table, i * POINT_BYTES + 32);
  }
  writeFileSync(`${g1File}.part`, table);
  copyFileSync(join(real.dir, 'bn254_g2.dat'), join(dir, 'bn254_g2.dat'));
  renameSync(`${g1File}.part`, g1File);
  return { dir, origin: 'CRS_PATH', points, downloadable: false };
}
