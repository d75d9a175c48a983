// Reply schemas of the /v1/jobs routes.
import { anyJson, arrayOf, bool, date, int, nullableStr, object, str } from './schemas.js';

export const STATUSES = [
  'OPEN',
  'AUCTIONING',
  'ASSIGNED',
  'PROVING',
  'VERIFYING',
  'SETTLED',
  'FAILED_ATTEMPT',
  'EXPIRED',
  'CANCELLED',
];

export const submitReply = object({ jobId: str, status: str, created: bool });
export const jobStatusReply = object({ jobId: str, status: str });

export const jobListReply = object({
  jobs: arrayOf(
    object({
      jobId: str,
      status: str,
      circuitId: str,
      items: int,
      winner: nullableStr,
      clearingPriceWei: nullableStr,
      deadline: date,
      createdAt: date,
    }),
  ),
});

const settlement = {
  type: ['object', 'null'],
  properties: { jobId: str, prover: str, priceWei: str, txHash: str, at: date },
} as const;

export const jobDetailsReply = object({
  jobId: str,
  status: str,
  circuitId: str,
  requester: str,
  rule: str,
  reserveWei: str,
  collateralWei: str,
  deadline: date,
  attempt: int,
  items: int,
  verifiedProofs: int,
  winner: nullableStr,
  clearingPriceWei: nullableStr,
  failureReason: nullableStr,
  availability: object({ required: int, attestations: arrayOf(anyJson) }),
  assignments: arrayOf(object({ attempt: int, prover: str, priceWei: str, status: str, progress: int })),
  settlement,
  events: arrayOf(object({ from: nullableStr, to: str, reason: nullableStr, at: date })),
});

export const jobInputsReply = object({ jobId: str, inputsHash: str, items: arrayOf(anyJson) });

export const jobProofsReply = object({
  jobId: str,
  circuitId: str,
  vk: str,
  proofs: arrayOf(object({ item: int, prover: str, proof: str, publicInputs: arrayOf(str) })),
});

const revealedBid = object({
  prover: str,
  priceWei: str,
  nonce: str,
  expiry: int,
  deliverySeconds: int,
  signature: str,
  receivedAt: date,
  signatureValid: bool,
});

export const auctionsReply = object({
  jobId: str,
  domain: object({ name: str, version: str, chainId: int, verifyingContract: str }),
  auctions: arrayOf(
    object({
      attempt: int,
      round: int,
      rule: str,
      status: str,
      opensAt: date,
      closesAt: date,
      winner: nullableStr,
      clearingPriceWei: nullableStr,
      bidCount: { type: ['integer', 'null'] },
      bids: arrayOf(revealedBid),
    }),
  ),
});

export const handBackReply = object({ jobId: str, attempt: int, handedBack: bool });
