// Proofs re-verified from the fulfilment calldata: every fulfil transaction that verified items of
// a job's attempt is read back from the chain, decoded, and each item's proof verified again with
// bb against the circuit's VK (checked against the job's on-chain vkHash). The chain's verifier
// contract said yes; this is a second, independent opinion on the same bytes.

import { getBytes, keccak256 } from 'ethers';
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { ProvingBackend } from '../../shared/proving/backend.js';

export interface Recheck {
  /** Items re-verified, and those bb found invalid. */
  items: number;
  invalid: number[];
  /** Items the chain verified that could not be read back (a fulfilment routed through another
   *  contract, whose calldata is not the Market's): the re-check is incomplete, never "passed". */
  unchecked: number;
  /** Each fulfil transaction's calldata (what was checked). */
  calldata: string[];
}

/** The fulfil transactions of `jobId`'s attempt `attempt`, from its ItemsVerified events, each
 *  with how many items the chain verified in it. */
async function fulfilments(chain: GavelContracts, jobId: string, attempt: number, fromBlock: number) {
  const filter = chain.market.filters.ItemsVerified?.(jobId);
  const head = (await chain.market.runner?.provider?.getBlockNumber()) ?? -1;
  const logs = await readInChunks(fromBlock, head, (from, to) =>
    chain.market.queryFilter(filter ?? 'ItemsVerified', from, to),
  );
  const verified = new Map<string, number>();
  for (const log of logs) {
    const e = chain.market.interface.parseLog(log);
    if (e && String(e.args.jobId).toLowerCase() === jobId.toLowerCase() && Number(e.args.attempt) === attempt)
      verified.set(log.transactionHash, (verified.get(log.transactionHash) ?? 0) + Number(e.args.count));
  }
  const provider = chain.market.runner?.provider;
  if (!provider) throw new Error('no chain provider');
  const txs = [];
  for (const [hash, count] of verified) {
    const tx = await provider.getTransaction(hash);
    if (tx) txs.push({ tx, count });
  }
  return txs;
}

export async function recheckProofs(
  chain: GavelContracts,
  backend: ProvingBackend,
  vk: Uint8Array,
  jobId: string,
  attempt: number,
): Promise<Recheck> {
  const onChain = await chain.job(jobId);
  if (keccak256(vk).toLowerCase() !== onChain.vkHash.toLowerCase())
    throw new Error(`the VK served for job ${jobId} is not the one its escrow names`);
  const out: Recheck = { items: 0, invalid: [], unchecked: 0, calldata: [] };
  const market = chain.deployment.market.toLowerCase();
  for (const { tx, count } of await fulfilments(chain, jobId, attempt, chain.deployment.blockNumber)) {
    // Only a direct call of the Market's fulfil is its calldata; anything else (a contract that
    // called fulfil) is not decoded as if it were.
    const call =
      tx.to?.toLowerCase() === market ? chain.market.interface.parseTransaction({ data: tx.data }) : null;
    const items =
      call?.name === 'fulfil'
        ? (call.args[1] as { index: bigint; proof: string; publicInputs: string[] }[])
        : [];
    if (items.length !== count) {
      out.unchecked += count;
      continue;
    }
    out.calldata.push(tx.data);
    for (const item of items) {
      out.items++;
      const ok = await backend.verify(
        { proof: getBytes(item.proof), publicInputs: [...item.publicInputs] },
        vk,
      );
      if (!ok) out.invalid.push(Number(item.index));
    }
  }
  return out;
}
