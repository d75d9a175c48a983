// The one interface every proving backend implements: bb.js UltraHonk (WASM or native bb, a
// future GPU prover) and snarkjs PLONK (WASM).

import type { VerifierKind } from './honk-verifier.js';
export type BackendKind = 'wasm' | 'native';

/** The proof systems a market circuit can be proved with. */
export const PROOF_SYSTEMS = ['ultrahonk', 'plonk'] as const;
export type ProofSystem = (typeof PROOF_SYSTEMS)[number];

export interface CircuitSize {
  /** Gates after circuit construction. */
  gates: number;
  /** Gates rounded up to the power of two the prover works with. */
  dyadic: number;
}

/** A proof: its bytes (bb.js's fields concatenated, or PLONK's 24 words), public inputs as 0x-hex
 *  fields. The same bytes are checked off-chain and passed to the circuit's on-chain verifier. */
export interface Proof {
  proof: Uint8Array;
  publicInputs: string[];
}

/** What a backend proves, with the name errors should use: uncompressed ACIR (UltraHonk) or
 *  uncompressed R1CS (PLONK, with the powers of tau its proving key is set up from). */
export interface CircuitProgram {
  name: string;
  code: Uint8Array;
  ptau?: { hash: string; power: number };
}

/** A program whose dyadic size is known (needed to check and load the CRS). */
export interface SizedProgram extends CircuitProgram {
  dyadic: number;
}

export interface ProvingBackend {
  readonly system: ProofSystem;
  readonly kind: BackendKind;
  readonly threads: number;
  /** Gate count and dyadic size of a program. */
  circuitSize(program: CircuitProgram): Promise<CircuitSize>;
  /** The verification key of a program (UltraHonk VK bytes, or PLONK's canonical vk JSON). */
  verificationKey(program: SizedProgram): Promise<Uint8Array>;
  /** Proves a solved witness (noir_js's gzip-compressed witness, or circom's .wtns) against `vk`. */
  prove(program: SizedProgram, witness: Uint8Array, vk: Uint8Array): Promise<Proof>;
  /** True when `proof` verifies against `vk`, false when it does not (a wrong or malformed proof);
   *  throws a retryable ProvingError only when the verifier itself fails. */
  verify(proof: Proof, vk: Uint8Array): Promise<boolean>;
  /** The Solidity source of the on-chain verifier of `vk` (proofs are made for the EVM target). */
  /** The Solidity source of the verifier of `vk`, of template `kind` (UltraHonk: optimized by
   *  default; PLONK has only the standard one). */
  solidityVerifier(vk: Uint8Array, kind?: VerifierKind): Promise<string>;
  /** Frees the backend (WASM memory, native child process). */
  destroy(): Promise<void>;
}

/** The proof system a stored circuit row records (the database enum is ULTRAHONK | PLONK). */
export function proofSystemOfRow(row: { proofSystem: string }): ProofSystem {
  return row.proofSystem === 'PLONK' ? 'plonk' : 'ultrahonk';
}
