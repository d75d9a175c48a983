// Fulfilling a job on-chain: every item's proof with the Merkle proof of its committed public
// inputs, in as few transactions as the block gas limit allows, skipping items the chain has
// already verified. Used by the coordinator's relay, a prover fulfilling on its own, and the CLI.
import { hexlify } from 'ethers';
import type { GavelContracts } from './gavel-contracts.js';
import type { PublicInputsCommitment } from './public-inputs-commitment.js';

/** One fulfil transaction takes at most 1/FULFIL_BLOCK_SHARE of a block's gas limit: a
 *  transaction asking for a whole block waits for an empty one. */
const FULFIL_BLOCK_SHARE = 2n;

export interface ItemToFulfil {
  index: number;
  proof: Uint8Array | string;
  publicInputs: string[];
}

export interface Fulfilment {
  gas: bigint;
  txHashes: string[];
}

type ItemProof = { index: number; proof: string; publicInputs: string[]; merkleProof: string[] };

/** Sends `items` (those not verified yet) in chunks; `chunkSize` fixes the items per transaction,
 *  otherwise as many as fit `FULFIL_BLOCK_SHARE` of a block by the estimate of one item. */
export async function fulfilItems(
  chain: GavelContracts,
  jobId: string,
  items: ItemToFulfil[],
  commitment: PublicInputsCommitment,
  chunkSize?: number,
): Promise<Fulfilment> {
  const pending: ItemProof[] = [];
  for (const item of items) {
    if (await chain.isItemVerified(jobId, item.index)) continue;
    pending.push({
      index: item.index,
      proof: typeof item.proof === 'string' ? item.proof : hexlify(item.proof),
      publicInputs: item.publicInputs,
      merkleProof: commitment.proof(item.index),
    });
  }
  const out: Fulfilment = { gas: 0n, txHashes: [] };
  if (pending.length === 0) return out;
  const size = chunkSize ?? (await itemsPerTransaction(chain, jobId, pending));
  for (let i = 0; i < pending.length; i += size) {
    const receipt = await chain.fulfil(jobId, pending.slice(i, i + size));
    out.gas += receipt.gasUsed;
    out.txHashes.push(receipt.hash);
  }
  return out;
}

/** How many items fit one transaction: the budget over the estimate of one item on its own (which
 *  carries the transaction's base cost, so the count errs low). A one-item job needs no estimate. */
async function itemsPerTransaction(
  chain: GavelContracts,
  jobId: string,
  pending: ItemProof[],
): Promise<number> {
  if (pending.length === 1) return 1;
  const [one, limit] = await Promise.all([
    chain.estimateFulfil(jobId, pending.slice(0, 1)),
    chain.blockGasLimit(),
  ]);
  return Math.max(1, Number(limit / FULFIL_BLOCK_SHARE / one));
}
