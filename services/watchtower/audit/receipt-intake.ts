// Receipts provers file with the watchtower (POST /v1/receipts): kept only when the bid is signed
// by its prover, the receipt names that bid's digest and is signed by a key holding the
// coordinator role on the Market. Anything else is refused with a specific error and not kept.
import type { TypedDataDomain } from 'ethers';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { GavelError } from '../../shared/errors.js';
import { receiptSigner } from '../../shared/protocol/auction-transcript.js';
import { bidDigest, bidTermsOf, recoverBidSigner } from '../../shared/protocol/bid-signing.js';
import { parseReceiptFiling } from '../../shared/protocol/messages.js';
import type { HeldReceipt } from './auction-auditor.js';

export async function receiptFrom(
  body: Uint8Array,
  chain: GavelContracts,
  domains: { bid: TypedDataDomain; receipt: TypedDataDomain },
): Promise<HeldReceipt> {
  let filing: ReturnType<typeof parseReceiptFiling>;
  try {
    filing = parseReceiptFiling(body);
  } catch (err) {
    throw new GavelError('BAD_RECEIPT', `malformed receipt filing: ${(err as Error).message}`);
  }
  const terms = bidTermsOf(filing.bid);
  if (recoverBidSigner(domains.bid, terms, filing.signature)?.toLowerCase() !== terms.prover.toLowerCase())
    throw new GavelError('BAD_SIGNATURE', "the bid's signature does not recover to its prover");
  const digest = bidDigest(domains.bid, terms);
  if (digest.toLowerCase() !== filing.receipt.bidDigest)
    throw new GavelError('BAD_RECEIPT', "the receipt names another bid's digest");
  const signer = receiptSigner(
    domains.receipt,
    { jobId: terms.jobId, attempt: terms.attempt, bidDigest: digest },
    filing.receipt.signature,
  );
  if (!signer || signer.toLowerCase() !== filing.receipt.signer.toLowerCase())
    throw new GavelError('BAD_SIGNATURE', 'the receipt signature does not recover to its signer');
  // A key whose role was revoked since still answers for what it signed (AuctionAudit agrees).
  if (!(await chain.market.getFunction('wasCoordinator')(signer)))
    throw new GavelError('NOT_COORDINATOR', `${signer} never held the coordinator role on this market`);
  return {
    bid: { bid: terms, signature: filing.signature },
    bidDigest: digest,
    signature: filing.receipt.signature,
    coordinator: signer,
  };
}
