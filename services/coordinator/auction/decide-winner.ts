// The auction rule, as a pure function: sealed-bid reverse auction, lowest price wins, earliest bid
// breaks ties; second-price pays the runner-up's price (the reserve when there is none), first-price
// pays the winner's own bid. Never above the reserve.

export interface SealedBid {
  id: number;
  prover: string;
  price: bigint;
  receivedAt: Date;
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
  const ranked = [...eligible].sort((a, b) =>
    a.price === b.price ? a.receivedAt.getTime() - b.receivedAt.getTime() : a.price < b.price ? -1 : 1,
  );
  const [winner, runnerUp] = ranked;
  if (!winner) return undefined;
  if (rule === 'FIRST_PRICE') return { winner, clearingPrice: winner.price };
  return { winner, ...(runnerUp ? { runnerUp } : {}), clearingPrice: runnerUp?.price ?? reserve };
}
