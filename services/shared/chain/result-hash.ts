// The result hash a job settles with on-chain: what the coordinator relays and anyone can recompute
// from the proofs.
import { keccak256 } from 'ethers';

/** keccak256 over the concatenated keccak256 of each proof, in batch-item order. */
export function resultHash(proofs: Uint8Array[]): string {
  return keccak256(Buffer.concat(proofs.map((p) => Buffer.from(keccak256(p).slice(2), 'hex'))));
}
