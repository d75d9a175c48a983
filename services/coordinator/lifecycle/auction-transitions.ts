// Auction rounds: OPEN (announced or not yet) → AWARDED | NO_BIDS. The only writer of Auction.status.
import type { Tx } from '../context.js';

export interface NewRound {
  jobId: string;
  attempt: number;
  round: number;
  rule: 'SECOND_PRICE' | 'FIRST_PRICE';
  opensAt: Date;
  auctionWindowMs: number;
}

/** Schedules an auction round (announced when `opensAt` comes). */
export function scheduleRound(tx: Tx, r: NewRound) {
  const { auctionWindowMs, ...round } = r;
  return tx.auction.create({
    data: { ...round, closesAt: new Date(r.opensAt.getTime() + auctionWindowMs) },
  });
}

/** Closes a round with its winner and clearing price. */
export function awardRound(tx: Tx, id: number, winner: string, clearingPriceWei: string) {
  return tx.auction.update({ where: { id }, data: { status: 'AWARDED', winner, clearingPriceWei } });
}

/** Closes a round that drew no eligible bid (or whose job moved on meanwhile). */
export function closeRoundEmpty(tx: Tx, id: number) {
  return tx.auction.update({ where: { id }, data: { status: 'NO_BIDS' } });
}
