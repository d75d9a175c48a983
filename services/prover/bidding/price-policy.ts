// Whether and how much to bid: a pure function of the announcement, the prover's limits and price
// policy, and its measured speed. A prover never bids on work it cannot finish in time.
import { estimateProvingMs } from '../../shared/protocol/estimates.js';
import { type Announcement, latestDeliverySeconds } from '../../shared/protocol/messages.js';

export interface PricePolicy {
  minPriceWei: bigint;
  pricePerGateWei: bigint;
  maxDyadic: number;
  gatesPerSec: number;
  /** Time kept in hand for fetching, verification and settlement. */
  marginMs: number;
  /** The most collateral this prover puts at risk on one job. */
  maxJobCollateralWei: bigint;
  /** Seconds promised on top of twice the estimated proving time (when the deadline allows). */
  deliveryMarginSeconds: number;
}

/** The most collateral a prover keeps locked across all its jobs, with what it has locked now. */
export interface CollateralExposure {
  maxLockedWei: bigint;
  lockedWei: bigint;
}

export type BidDecision =
  | { bid: true; price: bigint; provingMs: number; deliverySeconds: number }
  | { bid: false; reason: string };

/** The delivery time a bid signs (its attempt deadline: missing it can be slashed): twice the
 *  estimate plus the margin, shortened to what the job's deadline leaves after the assignment,
 *  but never below the estimate plus `marginMs`; undefined when even that does not fit. */
export function deliveryFor(a: Announcement, provingMs: number, policy: PricePolicy): number | undefined {
  const wanted = Math.ceil((2 * provingMs) / 1000) + policy.deliveryMarginSeconds;
  const latest = latestDeliverySeconds(a);
  const needed = Math.ceil((provingMs + policy.marginMs) / 1000);
  return needed > latest ? undefined : Math.min(wanted, latest);
}

/** `nowMs` is wall time (the auction window); every deadline in `a` is chain time. */
export function decideBid(a: Announcement, policy: PricePolicy, nowMs = Date.now()): BidDecision {
  if (a.dyadic > policy.maxDyadic) {
    return {
      bid: false,
      reason: `circuit dyadic size ${a.dyadic} exceeds this prover's limit ${policy.maxDyadic}`,
    };
  }
  if (a.closesAt <= nowMs) return { bid: false, reason: 'auction already closed' };
  if (BigInt(a.collateralWei) > policy.maxJobCollateralWei) {
    return {
      bid: false,
      reason: `collateral ${a.collateralWei} is above this prover's limit per job ${policy.maxJobCollateralWei}`,
    };
  }
  const provingMs = estimateProvingMs(a.gates, a.batchSize, policy.gatesPerSec);
  const deliverySeconds = deliveryFor(a, provingMs, policy);
  if (deliverySeconds === undefined) {
    return {
      bid: false,
      reason: `needs ~${provingMs} ms after an assignment mined by ${a.assignBy}, which misses the deadline`,
    };
  }
  const byGates = policy.pricePerGateWei * BigInt(a.gates) * BigInt(a.batchSize);
  const price = byGates > policy.minPriceWei ? byGates : policy.minPriceWei;
  if (price > BigInt(a.reserveWei))
    return { bid: false, reason: `price ${price} is above the reserve ${a.reserveWei}` };
  return { bid: true, price, provingMs, deliverySeconds };
}

/** Why a job's collateral would take this prover past its total limit, or undefined if it fits. */
export function exposureProblem(collateralWei: bigint, exposure: CollateralExposure): string | undefined {
  const total = exposure.lockedWei + collateralWei;
  if (total <= exposure.maxLockedWei) return undefined;
  return `collateral ${collateralWei} on top of ${exposure.lockedWei} locked is above this prover's limit ${exposure.maxLockedWei}`;
}
