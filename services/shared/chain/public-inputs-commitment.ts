// What a job commits to on-chain about its results: a Merkle root over (item index, keccak256 of
// the item's public inputs), built with OpenZeppelin's StandardMerkleTree so the Market checks
// each item with OpenZeppelin's MerkleProof. A proof for item i pays only with these inputs.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { concat, keccak256 } from 'ethers';

/** A leaf: (item index, keccak256 of its public inputs). */
export const LEAF_ENCODING = ['uint256', 'bytes32'];

/** keccak256(abi.encodePacked(bytes32[] publicInputs)), as the Market hashes them. */
export function publicInputsHash(publicInputs: string[]): string {
  return keccak256(publicInputs.length === 0 ? '0x' : concat(publicInputs));
}

export interface PublicInputsCommitment {
  root: string;
  /** The Merkle proof of item `index`'s leaf. */
  proof(index: number): string[];
}

/** The commitment to the public inputs of every item of a batch, in item order. */
export function commitPublicInputs(items: string[][]): PublicInputsCommitment {
  const tree = StandardMerkleTree.of(
    items.map((p, i) => [i, publicInputsHash(p)]),
    LEAF_ENCODING,
  );
  return { root: tree.root, proof: (index) => tree.getProof(index) };
}
