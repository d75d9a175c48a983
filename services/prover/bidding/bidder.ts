// Bidding: every announcement is weighed by the price policy and the prover's measured speed, and
// its escrow's verifier is checked against the circuit's own (prepared ahead when the circuit was
// noticed); a bid goes out only when all allow it, promising delivery within twice the estimated
// proving time plus a margin.
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Announcement } from '../../shared/protocol/messages.js';
import type { ProofSystem } from '../../shared/proving/backend.js';
import { MAX_PTAU_POWER } from '../../shared/proving/plonk/ptau.js';
import type { ProverConfig } from '../config.js';
import type { ProverMetrics } from '../metrics.js';
import { offerFor, type ProverLink } from '../prover-link.js';
import type { BidBook } from './bid-book.js';
import { CircuitPreparer } from './circuit-preparer.js';
import { decideBid, exposureProblem } from './price-policy.js';
import { ReceiptFiler } from './receipt-filer.js';
import type { VerifierCheck } from './verifier-check.js';

/** Time kept in hand beyond the estimated proving time before a deadline. */
const MARGIN_MS = 2000;

export interface BidderState {
  maxDyadic: number;
  gatesPerSec: number;
  proofSystems: ProofSystem[];
  /** PLONK speed: GAVEL_PLONK_GATES_PER_SEC, then what this prover's PLONK proofs showed. */
  plonkGatesPerSec: number;
  bidsSent: number;
  bidsAccepted: number;
  /** Jobs whose committed inputs no source served this prover: not bid on again. */
  inputsUnavailable: ReadonlySet<string>;
  /** Circuits whose jobs committed results no honest proof of them carries: not bid on again. */
  refusedCircuits: ReadonlySet<string>;
}

export class Bidder {
  private subs: Subscription[] = [];
  private readonly receipts: ReceiptFiler;
  private readonly preparer: CircuitPreparer;

  constructor(
    private readonly link: ProverLink,
    private readonly config: ProverConfig,
    private readonly state: BidderState,
    private readonly metrics: ProverMetrics,
    private readonly verifiers: VerifierCheck,
    /** Collateral this prover has locked on-chain now. */
    private readonly lockedCollateral: () => Promise<bigint>,
    /** Where accepted bids are kept (their expiry bounds the wait for an assignment). */
    private readonly bids: BidBook,
    private readonly log: Logger,
  ) {
    this.receipts = new ReceiptFiler(config.watchtowers, log);
    this.preparer = new CircuitPreparer(state, verifiers, metrics, log);
  }

  start(): void {
    this.subs = [
      this.link.circuitNotices((n) => this.preparer.noticed(n)),
      this.link.announcements((a) => {
        void this.consider(a).catch((e) => this.log.warn({ jobId: a.jobId, err: e }, 'bid failed'));
      }),
    ];
  }

  /** Stops listening, and waits for circuits being prepared. */
  async stop(): Promise<void> {
    for (const sub of this.subs) sub.unsubscribe();
    await this.preparer.idle();
  }

  private async consider(a: Announcement): Promise<void> {
    if (this.state.inputsUnavailable.has(a.jobId)) {
      this.metrics.skipped.inc();
      this.log.info({ jobId: a.jobId }, 'not bidding: no source served this job its committed inputs');
      return;
    }
    if (this.state.refusedCircuits.has(a.circuitId)) {
      this.metrics.skipped.inc();
      this.log.warn(
        { jobId: a.jobId, circuitId: a.circuitId },
        'not bidding: a job of this circuit committed public inputs its proofs do not carry',
      );
      return;
    }
    if (!this.state.proofSystems.includes(a.proofSystem)) {
      this.metrics.skipped.inc();
      this.log.info(
        { jobId: a.jobId, proofSystem: a.proofSystem },
        'not bidding: this prover does not prove that system',
      );
      return;
    }
    const plonk = a.proofSystem === 'plonk';
    const decision = decideBid(a, {
      minPriceWei: this.config.minPriceWei,
      pricePerGateWei: this.config.pricePerGateWei,
      // The CRS bounds UltraHonk; a PLONK circuit is bounded by the ptau it needs (checked with its verifier).
      maxDyadic: plonk ? 2 ** MAX_PTAU_POWER : this.state.maxDyadic,
      gatesPerSec: plonk ? this.state.plonkGatesPerSec : this.state.gatesPerSec,
      marginMs: MARGIN_MS,
      maxJobCollateralWei: this.config.maxJobCollateralWei,
      deliveryMarginSeconds: this.config.deliveryMarginSeconds,
    });
    if (!decision.bid) {
      this.metrics.skipped.inc();
      this.log.info({ jobId: a.jobId, reason: decision.reason }, 'not bidding');
      return;
    }
    const exposure = exposureProblem(BigInt(a.collateralWei), {
      maxLockedWei: this.config.maxLockedCollateralWei,
      lockedWei: await this.lockedCollateral(),
    });
    if (exposure) {
      this.metrics.skipped.inc();
      this.log.info({ jobId: a.jobId, reason: exposure }, 'not bidding');
      return;
    }
    const problem = await this.verifiers.problem(a);
    if (problem) {
      this.metrics.skipped.inc();
      this.log.warn(
        { jobId: a.jobId, problem },
        'not bidding: the escrow does not pay for proofs of this circuit',
      );
      return;
    }
    this.state.bidsSent++;
    const { request, reply } = await this.link.bid(offerFor(a, decision.price, decision.deliverySeconds));
    if (reply.accepted) {
      this.state.bidsAccepted++;
      const { expiry, deliverySeconds } = request.bid;
      this.bids.record({
        jobId: a.jobId,
        attempt: a.attempt,
        expiry,
        deliverySeconds,
        coordinatorUrl: a.coordinatorUrl,
      });
    }
    if (reply.accepted) this.receipts.file(request, reply);
    this.metrics.bids.inc({ result: reply.accepted ? 'accepted' : (reply.code ?? 'rejected') });
    this.log.info({ jobId: a.jobId, price: decision.price.toString(), ...reply }, 'bid answered');
  }
}
