// Auction transcripts and bid receipts. For each bid it accepts, a coordinator signs the bidder a
// receipt (EIP-712, the AuctionAudit contract's domain). At assignment it commits on-chain the
// Merkle root of the attempt's transcript: every accepted bid (its EIP-712 digest, prover, price)
// with its standing — 0 when it could win, otherwise why it could not. Anyone holding the revealed
// transcript recomputes the winner and price; a receipt whose bid is missing, or an eligible bid
// below the price charged, is evidence AuctionAudit takes the coordinator's bond on.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { recoverAddress, type Signer, type TypedDataDomain, TypedDataEncoder } from 'ethers';

/** Why an accepted bid could not win its attempt's auction (0: it could). */
export const STANDING = {
  eligible: 0,
  holdsAnotherAward: 1,
  stakeBelowCollateral: 2,
  beingAwardedElsewhere: 3,
  earlierRound: 4,
} as const;
export type Standing = (typeof STANDING)[keyof typeof STANDING];

export const STANDING_WHY: Record<Standing, string> = {
  0: 'could win',
  1: 'the prover held another award when the round closed',
  2: "the prover's free stake was below the collateral when the round closed",
  3: 'another round was awarding this prover when the round closed',
  4: 'bid in an earlier round of this attempt, which closed without a winner',
};

export function isStanding(x: number): x is Standing {
  return Number.isInteger(x) && x >= 0 && x <= 4;
}

/** One leaf: an accepted bid and its standing. */
export interface TranscriptEntry {
  bidDigest: string;
  prover: string;
  price: bigint;
  standing: Standing;
}

const LEAF_TYPES = ['bytes32', 'address', 'uint256', 'uint8'];

export interface Transcript {
  root: string;
  /** The Merkle proof of the entry for `bidDigest` (undefined when it is not in the transcript). */
  proof(bidDigest: string): string[] | undefined;
}

/** The transcript of `entries` (OpenZeppelin StandardMerkleTree, as AuctionAudit checks it). */
export function buildTranscript(entries: TranscriptEntry[]): Transcript {
  if (entries.length === 0) throw new Error('a transcript holds at least the winning bid');
  const tree = StandardMerkleTree.of(
    entries.map((e) => [e.bidDigest, e.prover, e.price.toString(), e.standing]),
    LEAF_TYPES,
  );
  const index = new Map(entries.map((e, i) => [e.bidDigest.toLowerCase(), i]));
  return {
    root: tree.root,
    proof: (digest) => {
      const i = index.get(digest.toLowerCase());
      return i === undefined ? undefined : tree.getProof(i);
    },
  };
}

export const RECEIPT_TYPES = {
  BidReceipt: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'attempt', type: 'uint32' },
    { name: 'bidDigest', type: 'bytes32' },
  ],
};

export interface ReceiptTerms {
  jobId: string;
  attempt: number;
  bidDigest: string;
}

/** Receipts are bound to one chain and one AuctionAudit contract. */
export function receiptDomain(chainId: number, audit: string): TypedDataDomain {
  return { name: 'Gavel Audit', version: '1', chainId, verifyingContract: audit };
}

export function signReceipt(signer: Signer, domain: TypedDataDomain, terms: ReceiptTerms): Promise<string> {
  return signer.signTypedData(domain, RECEIPT_TYPES, terms);
}

/** Who signed a receipt, or undefined when the signature is malformed. */
export function receiptSigner(domain: TypedDataDomain, terms: ReceiptTerms, signature: string) {
  try {
    return recoverAddress(TypedDataEncoder.hash(domain, RECEIPT_TYPES, terms), signature);
  } catch {
    return undefined;
  }
}

/** The winner and price the auction's rule gives among the entries that could win, the way the
 *  coordinator decides it (lowest price first; ties to the earlier entry; second price: the
 *  runner-up's price, or the reserve without one). Undefined when no entry could win. */
export function expectedOutcome(
  entries: TranscriptEntry[],
  rule: 'FIRST_PRICE' | 'SECOND_PRICE',
  reserve: bigint,
): { lowest: bigint; price: bigint; provers: string[] } | undefined {
  const eligible = entries.filter((e) => e.standing === STANDING.eligible && e.price <= reserve);
  if (eligible.length === 0) return undefined;
  const sorted = [...eligible].sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0));
  const lowest = (sorted[0] as TranscriptEntry).price;
  const second = sorted[1]?.price;
  return {
    lowest,
    price: rule === 'FIRST_PRICE' ? lowest : (second ?? reserve),
    // Every prover bidding the lowest price may have won (a tie goes to the earlier bid).
    provers: sorted.filter((e) => e.price === lowest).map((e) => e.prover.toLowerCase()),
  };
}
