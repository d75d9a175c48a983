// The Poseidon2 permutation (width 4, BN254) from bb.js, the same one Noir's
// std::hash::poseidon2_permutation compiles to, plus the hashes batch_transfer defines with it.
import { BackendType, BarretenbergSync } from '@aztec/bb.js';
import { bbWasmPath } from '../proving/bb-paths.js';
import { bytesToHex, fieldToBytes } from '../proving/fields.js';

const LEAF_TAG = 1n;
const NODE_TAG = 2n;
const BATCH_TAG = 3n;

export class Poseidon2 {
  private readonly api: BarretenbergSync;

  private constructor(api: BarretenbergSync) {
    this.api = api;
  }

  static async create(): Promise<Poseidon2> {
    return new Poseidon2(
      await BarretenbergSync.new({ backend: BackendType.Wasm, skipSrsInit: true, wasmPath: bbWasmPath }),
    );
  }

  permute(state: [bigint, bigint, bigint, bigint]): bigint[] {
    const { outputs } = this.api.poseidon2Permutation({ inputs: state.map(fieldToBytes) });
    return outputs.map((o) => BigInt(bytesToHex(o)));
  }

  private first(state: [bigint, bigint, bigint, bigint]): bigint {
    return this.permute(state)[0] as bigint;
  }

  /** Leaf of an account: P2([owner, balance, nonce, 1])[0]. */
  leaf(owner: bigint, balance: bigint, nonce: bigint): bigint {
    return this.first([owner, balance, nonce, LEAF_TAG]);
  }

  /** Inner node: P2([left, right, 0, 2])[0]. */
  node(left: bigint, right: bigint): bigint {
    return this.first([left, right, 0n, NODE_TAG]);
  }

  /** One step of the batch commitment: P2([acc, from + to·2^32 + nonce·2^64, amount, 3])[0]. */
  batchStep(acc: bigint, from: number, to: number, nonce: bigint, amount: bigint): bigint {
    const packed = BigInt(from) + (BigInt(to) << 32n) + (nonce << 64n);
    return this.first([acc, packed, amount, BATCH_TAG]);
  }
}
