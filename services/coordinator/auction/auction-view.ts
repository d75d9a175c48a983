// The sealed-bid reveal: what anyone may see of an auction round. While a round is open nothing
// about its bids is shown (not even how many); once closed, every bid with its EIP-712 signature
// and whether that signature recovers to the bidder, so anyone can re-check the outcome.
import type { TypedDataDomain } from 'ethers';
import type { db } from '../../shared/db/client.js';
import { recoverBidSigner } from '../../shared/protocol/bid-signing.js';
import type { CoordinatorContext } from '../context.js';

type RoundWithBids = db.Auction & { bids: db.Bid[] };

export interface RevealedBid {
  prover: string;
  priceWei: string;
  nonce: string;
  expiry: number;
  deliverySeconds: number;
  signature: string;
  receivedAt: Date;
  signatureValid: boolean;
}

export interface RoundView {
  jobId: string;
  attempt: number;
  round: number;
  rule: string;
  status: string;
  opensAt: Date;
  closesAt: Date;
  winner: string | null;
  clearingPriceWei: string | null;
  /** Null while the round is open: a sealed auction leaks nothing. */
  bidCount: number | null;
  bids: RevealedBid[];
}

function reveal(domain: TypedDataDomain, round: RoundWithBids, bid: db.Bid): RevealedBid {
  const terms = {
    jobId: round.jobId,
    attempt: round.attempt,
    price: BigInt(bid.priceWei),
    prover: bid.prover,
    expiry: bid.expiry,
    nonce: BigInt(bid.nonce),
    deliverySeconds: bid.deliverySeconds,
  };
  const signer = recoverBidSigner(domain, terms, bid.signature);
  const { prover, priceWei, nonce, expiry, deliverySeconds, signature, receivedAt } = bid;
  return {
    prover,
    priceWei,
    nonce,
    expiry,
    deliverySeconds,
    signature,
    receivedAt,
    signatureValid: signer?.toLowerCase() === prover,
  };
}

/** What may be shown of `round`: its bids (in arrival order) only once it is closed. */
export function roundView(domain: TypedDataDomain, round: RoundWithBids): RoundView {
  const closed = round.status !== 'OPEN';
  const bids = closed ? round.bids.map((b) => reveal(domain, round, b)) : [];
  const { jobId, attempt, round: n, rule, status, opensAt, closesAt, winner, clearingPriceWei } = round;
  return {
    jobId,
    attempt,
    round: n,
    rule,
    status,
    opensAt,
    closesAt,
    winner,
    clearingPriceWei,
    bidCount: closed ? round.bids.length : null,
    bids,
  };
}

/** Every round of a job, in order. */
export async function jobAuctions(ctx: CoordinatorContext, jobId: string): Promise<RoundView[]> {
  const rounds = await ctx.prisma.auction.findMany({
    where: { jobId },
    orderBy: [{ attempt: 'asc' }, { round: 'asc' }],
    include: { bids: { orderBy: { receivedAt: 'asc' } } },
  });
  return rounds.map((r) => roundView(ctx.domain, r));
}

/** The `limit` most recent announced rounds across all jobs, newest first. */
export async function recentAuctions(ctx: CoordinatorContext, limit: number): Promise<RoundView[]> {
  const rounds = await ctx.prisma.auction.findMany({
    where: { announced: true },
    orderBy: { id: 'desc' },
    take: limit,
    include: { bids: { orderBy: { receivedAt: 'asc' } } },
  });
  return rounds.map((r) => roundView(ctx.domain, r));
}
