// Before a prover signs any result, it checks that the result is the one the escrow committed to:
// each item's public inputs must be its leaf under the job's on-chain public-inputs root. A
// requester that commits to public inputs no honest proof carries (an ABI that lies about what is
// public, or a root of anything else) would otherwise have every signed result "invalid" and its
// prover slashed (review N1); a prover that finds the gap hands the attempt back instead.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  commitPublicInputs,
  LEAF_ENCODING,
  type PublicInputsCommitment,
  publicInputsHash,
} from '../../shared/chain/public-inputs-commitment.js';
import { GavelError } from '../../shared/errors.js';
import type { SolvedItem } from '../../shared/proving/item-public-inputs.js';

export class CommittedResults {
  private constructor(
    private readonly root: string,
    private readonly predicted: PublicInputsCommitment,
  ) {}

  /** The job's on-chain `root`, with Merkle proofs from the public inputs the items imply (as
   *  solved for proving): the proof of a leaf holds only if the prediction is what was committed. */
  static of(items: Pick<SolvedItem, 'publicInputs'>[], root: string): CommittedResults {
    return new CommittedResults(root, commitPublicInputs(items.map((i) => i.publicInputs)));
  }

  /** Throws PUBLIC_INPUTS_NOT_COMMITTED unless `publicInputs` (what the proof of item `index`
   *  carries) is that item's committed leaf. */
  check(index: number, publicInputs: string[]): void {
    const leaf = [index, publicInputsHash(publicInputs)];
    if (StandardMerkleTree.verify(this.root, LEAF_ENCODING, leaf, this.predicted.proof(index))) return;
    throw new GavelError(
      'PUBLIC_INPUTS_NOT_COMMITTED',
      `the proof of item ${index} carries public inputs the escrow did not commit to: a result signed for it could be slashed`,
      { details: { item: index, root: this.root } },
    );
  }
}
