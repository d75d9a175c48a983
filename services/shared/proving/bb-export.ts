// Writes a proof in the files the `bb` CLI reads: `bb verify -k vk -p proof -i public_inputs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Proof } from './backend.js';
import { hexToBytes } from './fields.js';

export interface BbFiles {
  dir: string;
  proof: string;
  publicInputs: string;
  vk: string;
}

/** Public inputs as `bb` reads them: 32-byte big-endian fields, concatenated. */
export function encodePublicInputs(publicInputs: string[]): Uint8Array {
  const out = new Uint8Array(publicInputs.length * 32);
  publicInputs.forEach((field, i) => {
    out.set(hexToBytes(field), i * 32);
  });
  return out;
}

export function writeBbFiles(dir: string, proof: Proof, vk: Uint8Array): BbFiles {
  mkdirSync(dir, { recursive: true });
  const files = {
    dir,
    proof: join(dir, 'proof'),
    publicInputs: join(dir, 'public_inputs'),
    vk: join(dir, 'vk'),
  };
  writeFileSync(files.proof, proof.proof);
  writeFileSync(files.publicInputs, encodePublicInputs(proof.publicInputs));
  writeFileSync(files.vk, vk);
  return files;
}
