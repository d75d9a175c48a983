// The one interface every proving backend implements (bb.js WASM, native bb, a future GPU prover).

export type BackendKind = 'wasm' | 'native';

export interface CircuitSize {
  /** Gates after circuit construction. */
  gates: number;
  /** Gates rounded up to the power of two the prover works with. */
  dyadic: number;
}

/** A proof as bb.js produces it: the proof's fields concatenated, public inputs as 0x-hex fields. */
export interface Proof {
  proof: Uint8Array;
  publicInputs: string[];
}

/** An uncompressed ACIR program with the name errors should use. */
export interface CircuitProgram {
  name: string;
  acir: Uint8Array;
}

/** A program whose dyadic size is known (needed to check and load the CRS). */
export interface SizedProgram extends CircuitProgram {
  dyadic: number;
}

export interface ProvingBackend {
  readonly kind: BackendKind;
  readonly threads: number;
  /** Gate count and dyadic size of an uncompressed ACIR program. */
  circuitSize(program: CircuitProgram): Promise<CircuitSize>;
  /** The UltraHonk verification key of an uncompressed ACIR program. */
  verificationKey(program: SizedProgram): Promise<Uint8Array>;
  /** Proves a solved witness (as noir_js returns it, gzip-compressed) against `vk`. */
  prove(program: SizedProgram, witness: Uint8Array, vk: Uint8Array): Promise<Proof>;
  /** True when `proof` verifies against `vk`, false when it does not (a wrong or malformed proof);
   *  throws a retryable ProvingError only when the verifier itself fails. */
  verify(proof: Proof, vk: Uint8Array): Promise<boolean>;
  /** The Solidity source of the on-chain verifier of `vk` (proofs are made for the EVM target). */
  solidityVerifier(vk: Uint8Array): Promise<string>;
  /** Frees the backend (WASM memory, native child process). */
  destroy(): Promise<void>;
}
