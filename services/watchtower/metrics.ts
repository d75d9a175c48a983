// A watchtower's Prometheus metrics, served at http://127.0.0.1:<port>/metrics.
import { Counter, Gauge } from 'prom-client';
import { ServedRegistry } from '../shared/metrics-server.js';

export class WatchtowerMetrics extends ServedRegistry {
  readonly actions = new Counter({
    name: 'gavel_watchtower_actions_total',
    help: 'deadline enforcements sent, by action (slash_late, expire) and outcome (done, taken: somebody else was first)',
    labelNames: ['action', 'outcome'] as const,
    registers: this.r,
  });
  readonly bountyEth = new Counter({
    name: 'gavel_watchtower_bounty_eth_total',
    help: 'slash bounties earned (claimable from Staking), in ETH',
    registers: this.r,
  });
  readonly watched = new Gauge({
    name: 'gavel_watchtower_jobs_watched',
    help: 'jobs with escrow or collateral still locked on-chain',
    registers: this.r,
  });
  readonly overdue = new Gauge({
    name: 'gavel_watchtower_jobs_overdue',
    help: 'jobs past a deadline with escrow or collateral still locked (should stay 0)',
    registers: this.r,
  });
}
