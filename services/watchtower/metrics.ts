// A watchtower's Prometheus metrics, served at http://127.0.0.1:<port>/metrics.
import { Counter, Gauge } from 'prom-client';
import { ServedRegistry } from '../shared/metrics-server.js';

export class WatchtowerMetrics extends ServedRegistry {
  readonly actions = new Counter({
    name: 'gavel_watchtower_actions_total',
    help: 'deadline enforcements sent, by action (slash_late, expire) and outcome (done, taken: somebody else was first, failed: the chain would not act on it this round)',
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
  readonly audits = new Counter({
    name: 'gavel_watchtower_auctions_audited_total',
    help: 'auctions audited against their committed transcript, by verdict (ok, violation)',
    labelNames: ['verdict'] as const,
    registers: this.r,
  });
  readonly receipts = new Counter({
    name: 'gavel_watchtower_receipts_held_total',
    help: 'bid receipts provers filed with this watchtower (checked and kept)',
    registers: this.r,
  });
  readonly evidence = new Counter({
    name: 'gavel_watchtower_evidence_total',
    help: 'on-chain evidence against coordinators, by kind (proveBetterBid, challenge, slashUnanswered) and outcome (sent, taken, failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: this.r,
  });
  readonly bondsEth = new Counter({
    name: 'gavel_watchtower_bonds_eth_total',
    help: "coordinator bonds taken on this watchtower's evidence (claimable from AuctionAudit), in ETH",
    registers: this.r,
  });
  readonly attestations = new Counter({
    name: 'gavel_watchtower_attestations_total',
    help: 'attestations signed, by the auction and proofs verdicts (0 not checked, 1 passed, 2 failed)',
    labelNames: ['auction', 'proofs'] as const,
    registers: this.r,
  });
  readonly mirrored = new Counter({
    name: 'gavel_watchtower_inputs_mirrored_total',
    help: "jobs whose inputs this watchtower took into its mirror (checked against the escrow's inputs hash), by how: pushed (by a requester) or pulled (a public job's, from the coordinator)",
    labelNames: ['how'] as const,
    registers: this.r,
  });
  readonly publicMismatches = new Counter({
    name: 'gavel_watchtower_public_inputs_mismatched_total',
    help: "public jobs whose inputs, as the coordinator served them, do not hash to the escrow's commitment",
    registers: this.r,
  });
  readonly mirroredBytes = new Gauge({
    name: 'gavel_watchtower_inputs_mirrored_bytes',
    help: 'bytes of inputs held in the mirror',
    registers: this.r,
  });
  readonly inputsServed = new Counter({
    name: 'gavel_watchtower_inputs_served_total',
    help: 'mirrored inputs served, by reader (requester, prover)',
    labelNames: ['reader'] as const,
    registers: this.r,
  });
  readonly inputsFaults = new Counter({
    name: 'gavel_watchtower_inputs_faults_total',
    help: 'inputs faults filed by assigned provers and kept, by kind (missing, mismatched)',
    labelNames: ['kind'] as const,
    registers: this.r,
  });
  readonly overdue = new Gauge({
    name: 'gavel_watchtower_jobs_overdue',
    help: 'jobs past a deadline with escrow or collateral still locked (should stay 0)',
    registers: this.r,
  });
}
