// The bids this prover made that were accepted, by job and attempt: each signs the latest time it
// may be assigned (its expiry) and the delivery time that follows. The agent waits for its
// assignment until the bid expires, and knows which on-chain assignments its own bids explain.
export interface BookedBid {
  jobId: string;
  attempt: number;
  /** Unix seconds: the latest time the chain may assign this bid. */
  expiry: number;
  deliverySeconds: number;
  coordinatorUrl: string;
}

const key = (jobId: string, attempt: number) => `${jobId.toLowerCase()}:${attempt}`;

export class BidBook {
  private readonly bids = new Map<string, BookedBid>();

  record(bid: BookedBid): void {
    this.bids.set(key(bid.jobId, bid.attempt), bid);
  }

  get(jobId: string, attempt: number): BookedBid | undefined {
    return this.bids.get(key(jobId, attempt));
  }

  /** Forgets bids whose assignment and delivery are both over by `nowSeconds`. */
  prune(nowSeconds: number): void {
    for (const [k, b] of this.bids) if (b.expiry + b.deliverySeconds < nowSeconds) this.bids.delete(k);
  }

  get size(): number {
    return this.bids.size;
  }
}
