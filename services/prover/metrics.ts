// A prover agent's Prometheus metrics, served at http://127.0.0.1:<port>/metrics.
import { Counter, Gauge, Histogram } from 'prom-client';
import { ServedRegistry } from '../shared/metrics-server.js';

export class ProverMetrics extends ServedRegistry {
  readonly bids = new Counter({
    name: 'gavel_prover_bids_total',
    help: "bids sent, by the coordinator's answer (accepted or the rejection code)",
    labelNames: ['result'] as const,
    registers: this.r,
  });
  readonly skipped = new Counter({
    name: 'gavel_prover_announcements_skipped_total',
    help: 'announcements not bid on (too large, too slow for the deadline, reserve below price)',
    registers: this.r,
  });
  readonly circuitsPrepared = new Counter({
    name: 'gavel_prover_circuits_prepared_total',
    help: "circuits prepared (VK built, verifier checked) on the coordinator's notice, before their first auction, by verdict (ok, refused, failed)",
    labelNames: ['verdict'] as const,
    registers: this.r,
  });
  readonly provingSeconds = new Histogram({
    name: 'gavel_prover_proving_seconds',
    help: 'time to prove one batch item, by circuit',
    labelNames: ['circuit'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: this.r,
  });
  readonly jobs = new Counter({
    name: 'gavel_prover_jobs_total',
    help: 'awards handled, by outcome (proved, failed, dropped)',
    labelNames: ['outcome'] as const,
    registers: this.r,
  });
  readonly busy = new Gauge({
    name: 'gavel_prover_busy',
    help: '1 while proving an award',
    registers: this.r,
  });
  readonly speed = new Gauge({
    name: 'gavel_prover_declared_gates_per_second',
    help: 'proving speed this agent declares (measured at start unless configured)',
    registers: this.r,
  });
  readonly natsReconnects = new Counter({
    name: 'gavel_prover_nats_reconnects_total',
    help: 'reconnections to the NATS server',
    registers: this.r,
  });
}
