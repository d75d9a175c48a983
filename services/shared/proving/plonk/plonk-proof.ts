// A snarkjs PLONK proof as 24 big-endian 32-byte words, in the order snarkjs's Solidity verifier
// reads them (`verifyProof(uint256[24], uint256[n])`): A, B, C, Z, T1, T2, T3, Wxi, Wxiw (x, y
// each), then the evaluations a, b, c, s1, s2, zw. The same bytes are stored, sent over NATS,
// checked off-chain and passed to the chain.
import type { PlonkProofJson } from './snarkjs.js';

const POINTS = ['A', 'B', 'C', 'Z', 'T1', 'T2', 'T3', 'Wxi', 'Wxiw'] as const;
const EVALUATIONS = ['eval_a', 'eval_b', 'eval_c', 'eval_s1', 'eval_s2', 'eval_zw'] as const;
export const PLONK_PROOF_WORDS = POINTS.length * 2 + EVALUATIONS.length;
export const PLONK_PROOF_BYTES = PLONK_PROOF_WORDS * 32;

function word(value: unknown): Uint8Array {
  const hex = BigInt(String(value)).toString(16).padStart(64, '0');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function encodePlonkProof(proof: PlonkProofJson): Uint8Array {
  const out = new Uint8Array(PLONK_PROOF_BYTES);
  let at = 0;
  const put = (value: unknown) => {
    out.set(word(value), at);
    at += 32;
  };
  for (const name of POINTS) {
    const point = proof[name] as unknown[];
    put(point[0]);
    put(point[1]);
  }
  for (const name of EVALUATIONS) put(proof[name]);
  return out;
}

/** The snarkjs JSON of 768 proof bytes, or undefined when the length is wrong. */
export function decodePlonkProof(bytes: Uint8Array): PlonkProofJson | undefined {
  if (bytes.length !== PLONK_PROOF_BYTES) return undefined;
  const words = Array.from({ length: PLONK_PROOF_WORDS }, (_, i) =>
    BigInt(`0x${Buffer.from(bytes.subarray(i * 32, (i + 1) * 32)).toString('hex')}`).toString(),
  );
  const proof: Record<string, unknown> = { protocol: 'plonk', curve: 'bn128' };
  POINTS.forEach((name, i) => {
    proof[name] = [words[2 * i], words[2 * i + 1], '1'];
  });
  EVALUATIONS.forEach((name, i) => {
    proof[name] = words[POINTS.length * 2 + i];
  });
  return proof as PlonkProofJson;
}
