// Bidding: every announcement is weighed by the price policy and the prover's measured speed;
// a bid goes out only when both allow it.
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { errorMessage } from '../../shared/errors.js';
import type { Announcement } from '../../shared/protocol/messages.js';
import { offerFor, type ProverLink } from '../../shared/protocol/prover-link.js';
import type { ProverConfig } from '../config.js';
import type { ProverMetrics } from '../metrics.js';
import { decideBid } from './price-policy.js';

/** Time kept in hand beyond the estimated proving time before a deadline. */
const MARGIN_MS = 2000;

export interface BidderState {
  maxDyadic: number;
  gatesPerSec: number;
  bidsSent: number;
  bidsAccepted: number;
}

export class Bidder {
  private sub: Subscription | undefined;

  constructor(
    private readonly link: ProverLink,
    private readonly config: ProverConfig,
    private readonly state: BidderState,
    private readonly metrics: ProverMetrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.sub = this.link.announcements((a) => {
      void this.consider(a).catch((e) =>
        this.log.warn({ jobId: a.jobId, err: errorMessage(e) }, 'bid failed'),
      );
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private async consider(a: Announcement): Promise<void> {
    const decision = decideBid(a, {
      minPriceWei: this.config.minPriceWei,
      pricePerGateWei: this.config.pricePerGateWei,
      maxDyadic: this.state.maxDyadic,
      gatesPerSec: this.state.gatesPerSec,
      marginMs: MARGIN_MS,
    });
    if (!decision.bid) {
      this.metrics.skipped.inc();
      this.log.info({ jobId: a.jobId, reason: decision.reason }, 'not bidding');
      return;
    }
    this.state.bidsSent++;
    const { reply } = await this.link.bid(offerFor(a, decision.price));
    if (reply.accepted) this.state.bidsAccepted++;
    this.metrics.bids.inc({ result: reply.accepted ? 'accepted' : (reply.code ?? 'rejected') });
    this.log.info({ jobId: a.jobId, price: decision.price.toString(), ...reply }, 'bid answered');
  }
}
