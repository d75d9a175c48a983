// Fulfilling a job on-chain: every item's proof with the Merkle proof of its committed public
// inputs, in chunks (one UltraHonk verification costs ~3.5 M gas), skipping items the chain has
// already verified. Used by the coordinator's relay, a prover fulfilling on its own, and the CLI.
import { hexlify } from 'ethers';
import type { GavelContracts } from './gavel-contracts.js';
import type { PublicInputsCommitment } from './public-inputs-commitment.js';

/** Items per fulfil transaction: 4 × ~3.5 M gas stays well under a 30 M block. */
export const FULFIL_CHUNK_ITEMS = 4;

export interface ItemToFulfil {
  index: number;
  proof: Uint8Array | string;
  publicInputs: string[];
}

export interface Fulfilment {
  gas: bigint;
  txHashes: string[];
}

export async function fulfilItems(
  chain: GavelContracts,
  jobId: string,
  items: ItemToFulfil[],
  commitment: PublicInputsCommitment,
  chunkSize = FULFIL_CHUNK_ITEMS,
): Promise<Fulfilment> {
  const pending: ItemToFulfil[] = [];
  for (const item of items) if (!(await chain.isItemVerified(jobId, item.index))) pending.push(item);
  const out: Fulfilment = { gas: 0n, txHashes: [] };
  for (let i = 0; i < pending.length; i += chunkSize) {
    const chunk = pending.slice(i, i + chunkSize).map((p) => ({
      index: p.index,
      proof: typeof p.proof === 'string' ? p.proof : hexlify(p.proof),
      publicInputs: p.publicInputs,
      merkleProof: commitment.proof(p.index),
    }));
    const receipt = await chain.fulfil(jobId, chunk);
    out.gas += receipt.gasUsed;
    out.txHashes.push(receipt.hash);
  }
  return out;
}
