// The auction rule, as a pure function: sealed-bid reverse auction ranked on price, then delivery
// time (among equal prices the bid promising the proofs soonest wins; a delivery time past the
// deadline was refused when the bid came in), then the earliest bid; second-price pays the
// runner-up's price (the reserve when there is none), first-price pays the winner's own bid. Never
// above the reserve. Price comes first because the Market checks the second price against it.

export interface SealedBid {
  id: number;
  prover: string;
  price: bigint;
  /** Seconds after assignment the prover signed it will deliver in. */
  deliverySeconds: number;
  receivedAt: Date;
}

/** Lower price first, then shorter delivery time, then earlier bid. */
function rank(a: SealedBid, b: SealedBid): number {
  if (a.price !== b.price) return a.price < b.price ? -1 : 1;
  if (a.deliverySeconds !== b.deliverySeconds) return a.deliverySeconds - b.deliverySeconds;
  return a.receivedAt.getTime() - b.receivedAt.getTime();
}

export interface AuctionOutcome {
  winner: SealedBid;
  /** The bid that sets the second price (the Market checks it); none under first price. */
  runnerUp?: SealedBid;
  clearingPrice: bigint;
}

export function decideWinner(
  bids: readonly SealedBid[],
  rule: 'SECOND_PRICE' | 'FIRST_PRICE',
  reserve: bigint,
): AuctionOutcome | undefined {
  const eligible = bids.filter((b) => b.price <= reserve);
  const ranked = [...eligible].sort(rank);
  const [winner, runnerUp] = ranked;
  if (!winner) return undefined;
  if (rule === 'FIRST_PRICE') return { winner, clearingPrice: winner.price };
  return { winner, ...(runnerUp ? { runnerUp } : {}), clearingPrice: runnerUp?.price ?? reserve };
}
