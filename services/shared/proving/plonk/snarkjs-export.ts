// Writes a PLONK proof in the files snarkjs's CLI reads: `snarkjs plonk verify vk.json public.json
// proof.json` checks it without Gavel.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GavelError } from '../../errors.js';
import type { Proof } from '../backend.js';
import { plonkVk } from './plonk-backend.js';
import { decodePlonkProof } from './plonk-proof.js';

export interface SnarkjsFiles {
  dir: string;
  proof: string;
  publicInputs: string;
  vk: string;
}

/** True when `vk` is a PLONK verification key (canonical JSON), not UltraHonk bytes. */
export function isPlonkVk(vk: Uint8Array): boolean {
  try {
    plonkVk(vk);
    return true;
  } catch {
    return false;
  }
}

export function writeSnarkjsFiles(dir: string, proof: Proof, vk: Uint8Array): SnarkjsFiles {
  const json = decodePlonkProof(proof.proof);
  if (!json) throw new GavelError('INVALID_PROOF', `a PLONK proof is 768 bytes, not ${proof.proof.length}`);
  mkdirSync(dir, { recursive: true });
  const files = {
    dir,
    proof: join(dir, 'proof.json'),
    publicInputs: join(dir, 'public.json'),
    vk: join(dir, 'vk.json'),
  };
  writeFileSync(files.proof, JSON.stringify(json));
  writeFileSync(files.publicInputs, JSON.stringify(proof.publicInputs.map((x) => BigInt(x).toString())));
  writeFileSync(files.vk, JSON.stringify(plonkVk(vk)));
  return files;
}
