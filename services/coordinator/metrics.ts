// The coordinator's Prometheus metrics (served at /metrics). Counters and histograms are updated
// where things happen and count this replica's work: with several replicas, scrape each (Prometheus
// labels them by instance) and sum. Gauges of current state (jobs by state, outbox backlog, live
// provers, live replicas) are read from the shared database and NATS when scraped: market-wide, the
// same on every replica (take one, not the sum).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface StateReader {
  jobsByState(): Promise<Record<string, number>>;
  outboxBacklog(): Promise<number>;
  liveProvers(): Promise<number>;
  liveReplicas(): Promise<number>;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly r = [this.registry];

  readonly auctionsAnnounced = new Counter({
    name: 'gavel_auctions_announced_total',
    help: 'auction rounds announced on NATS',
    registers: this.r,
  });
  readonly auctionsClosed = new Counter({
    name: 'gavel_auctions_closed_total',
    help: 'auction rounds closed, by outcome',
    labelNames: ['outcome'] as const,
    registers: this.r,
  });
  readonly bids = new Counter({
    name: 'gavel_bids_total',
    help: 'bids received, by result (accepted or the rejection code)',
    labelNames: ['result'] as const,
    registers: this.r,
  });
  readonly bidsPerAuction = new Histogram({
    name: 'gavel_bids_per_auction',
    help: 'accepted bids per closed auction round',
    buckets: [0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500],
    registers: this.r,
  });
  readonly clearingPriceEth = new Histogram({
    name: 'gavel_clearing_price_eth',
    help: 'clearing price of awarded auctions, in ETH',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: this.r,
  });
  readonly awardLatency = new Histogram({
    name: 'gavel_award_latency_seconds',
    help: 'from announcement to the award being published to the winner',
    buckets: [0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 20, 60],
    registers: this.r,
  });
  readonly provingSeconds = new Histogram({
    name: 'gavel_proving_seconds',
    help: 'from award to the last verified proof of a job, by circuit',
    labelNames: ['circuit'] as const,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: this.r,
  });
  readonly verifierErrors = new Counter({
    name: 'gavel_verifier_errors_total',
    help: 'results our verifier could not judge (retried; never counted against the prover): alert on any',
    registers: this.r,
  });
  readonly verifySeconds = new Histogram({
    name: 'gavel_verification_seconds',
    help: 'time to verify one proof, by circuit',
    labelNames: ['circuit'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: this.r,
  });
  readonly failures = new Counter({
    name: 'gavel_attempt_failures_total',
    help: 'failed proving attempts, by reason',
    labelNames: ['reason'] as const,
    registers: this.r,
  });
  readonly slashes = new Counter({
    name: 'gavel_slashes_total',
    help: 'provers slashed on-chain through the coordinator',
    registers: this.r,
  });
  readonly chainTx = new Counter({
    name: 'gavel_chain_transactions_total',
    help: 'on-chain transactions sent by the outbox, by kind',
    labelNames: ['kind'] as const,
    registers: this.r,
  });
  readonly jobsSettled = new Counter({
    name: 'gavel_jobs_settled_total',
    help: 'jobs settled on-chain',
    registers: this.r,
  });
  readonly natsReconnects = new Counter({
    name: 'gavel_nats_reconnects_total',
    help: 'reconnections to the NATS server',
    registers: this.r,
  });
  readonly stageFailures = new Counter({
    name: 'gavel_stage_failures_total',
    help: 'runs of a timed stage loop that failed (retried at its next tick), by loop',
    labelNames: ['loop'] as const,
    registers: this.r,
  });
  readonly messagesRejected = new Counter({
    name: 'gavel_messages_rejected_total',
    help: 'malformed or badly signed NATS messages, by kind',
    labelNames: ['kind'] as const,
    registers: this.r,
  });

  readonly replicaInfo = new Gauge({
    name: 'gavel_coordinator_replica_info',
    help: "this replica: its coordinator key's address and its URL (always 1)",
    labelNames: ['address', 'url'] as const,
    registers: this.r,
  });

  /** Registers the gauges read from current state at scrape time. */
  watchState(state: StateReader): void {
    new Gauge({
      name: 'gavel_jobs',
      help: 'jobs by state',
      labelNames: ['state'] as const,
      registers: this.r,
      async collect() {
        const byState = await state.jobsByState().catch(() => undefined);
        if (!byState) return; // the last values stay: a scrape never fails on one gauge
        this.reset();
        for (const [s, n] of Object.entries(byState)) this.set({ state: s }, n);
      },
    });
    new Gauge({
      name: 'gavel_outbox_backlog',
      help: 'on-chain actions waiting in the outbox',
      registers: this.r,
      async collect() {
        await state.outboxBacklog().then(
          (n) => this.set(n),
          () => undefined, // the last value stays: a scrape never fails on one gauge
        );
      },
    });
    new Gauge({
      name: 'gavel_provers_live',
      help: 'provers with a live presence entry',
      registers: this.r,
      async collect() {
        await state.liveProvers().then(
          (n) => this.set(n),
          () => undefined, // the last value stays: a scrape never fails on one gauge
        );
      },
    });
    new Gauge({
      name: 'gavel_coordinator_replicas_live',
      help: 'coordinator replicas with a live entry in the replica bucket (this one included)',
      registers: this.r,
      async collect() {
        await state.liveReplicas().then(
          (n) => this.set(n),
          () => undefined, // the last value stays: a scrape never fails on one gauge
        );
      },
    });
  }
}
