import { commonSettings, parsers, type Settings } from '../shared/config.js';
import type { ProofSystem } from '../shared/proving/backend.js';

export interface ProverConfig {
  key: string;
  name: string;
  natsUrl: string;
  /** CA file for a NATS server with TLS ('' = system CAs). */
  natsCa: string;
  /** Where the agent gets its NATS credentials. */
  coordinatorUrl: string;
  rpcUrl: string;
  deploymentFile: string;
  backend: 'wasm' | 'native';
  /** The proof systems this prover proves and bids on. */
  proofSystems: ProofSystem[];
  /** PLONK speed until the agent has timed its own PLONK proofs (snarkjs is far slower per gate). */
  plonkGatesPerSec: number;
  threads: number;
  /** Largest dyadic circuit size this prover accepts (0 = what the local CRS allows). */
  maxDyadic: number;
  /** Declared proving speed; 0 = measure it at start (calibration). */
  gatesPerSec: number;
  minPriceWei: bigint;
  /** Price per gate per batch item, in wei. */
  pricePerGateWei: bigint;
  /** The most collateral put at risk on one job, and locked across all jobs at once. */
  maxJobCollateralWei: bigint;
  maxLockedCollateralWei: bigint;
  heartbeatMs: number;
  /** Seconds promised on top of the estimated proving time in each bid's delivery time (the
   *  attempt deadline this prover can be slashed for missing). */
  deliveryMarginSeconds: number;
  /** Fulfil on-chain itself when the proofs are not paid this long after they were sent. */
  selfFulfilAfterMs: number;
  /** Seconds an on-chain assignment of this prover may wait for its award before it is handed back. */
  unawardedGraceSeconds: number;
  /** Watchtower APIs this prover files its bid receipts and inputs faults with, and asks for
   *  inputs the coordinator does not serve. */
  watchtowers: string[];
  /** Port of the /metrics endpoint (0: any free port). */
  metricsPort: number;
  logLevel: string;
}

export const proverSettings: Settings<ProverConfig> = {
  key: {
    env: 'GAVEL_PRIVATE_KEY',
    description: "the prover's private key (registered and staked)",
    parse: parsers.privateKey,
  },
  name: {
    env: 'GAVEL_PROVER_NAME',
    description: 'name announced to the coordinator',
    parse: parsers.string,
    default: 'prover',
  },
  natsUrl: commonSettings.natsUrl,
  natsCa: commonSettings.natsCa,
  coordinatorUrl: {
    env: 'GAVEL_COORDINATOR_URL',
    description: "the coordinator's HTTP API (it issues this prover's NATS credentials)",
    parse: parsers.url,
    default: 'http://127.0.0.1:8080',
  },
  rpcUrl: commonSettings.rpcUrl,
  deploymentFile: commonSettings.deploymentFile,
  backend: {
    env: 'GAVEL_BACKEND',
    description: 'proving backend',
    parse: parsers.oneOf('wasm', 'native'),
    default: 'wasm',
  },
  proofSystems: {
    env: 'GAVEL_PROOF_SYSTEMS',
    description: 'proof systems to prove and bid on: ultrahonk (bb.js), plonk (snarkjs, optional dependency)',
    parse: parsers.proofSystems,
    default: ['ultrahonk'],
  },
  plonkGatesPerSec: {
    env: 'GAVEL_PLONK_GATES_PER_SEC',
    description:
      'PLONK proving speed (domain gates/s) assumed until the agent has timed its own PLONK proofs',
    parse: parsers.number,
    default: 1500,
  },
  threads: { env: 'GAVEL_THREADS', description: 'proving threads', parse: parsers.int(1, 256), default: 1 },
  maxDyadic: {
    env: 'GAVEL_MAX_DYADIC',
    description: 'largest dyadic circuit size to bid on (0 = what the CRS allows)',
    parse: parsers.int(0),
    default: 0,
  },
  gatesPerSec: {
    env: 'GAVEL_GATES_PER_SEC',
    description: 'declared proving speed (0 = calibrate at start)',
    parse: parsers.number,
    default: 0,
  },
  minPriceWei: {
    env: 'GAVEL_MIN_PRICE_WEI',
    description: 'never bid below this',
    parse: parsers.wei,
    default: 10n ** 15n,
  },
  pricePerGateWei: {
    env: 'GAVEL_PRICE_PER_GATE_WEI',
    description: 'price per gate per batch item',
    parse: parsers.wei,
    default: 10n ** 11n,
  },
  maxJobCollateralWei: {
    env: 'GAVEL_MAX_JOB_COLLATERAL_WEI',
    description: 'never bid on a job whose collateral is above this (the most a single job can slash)',
    parse: parsers.wei,
    default: 2n * 10n ** 18n,
  },
  maxLockedCollateralWei: {
    env: 'GAVEL_MAX_LOCKED_COLLATERAL_WEI',
    description: "never bid when the job's collateral would take the collateral locked on-chain past this",
    parse: parsers.wei,
    default: 5n * 10n ** 18n,
  },
  heartbeatMs: {
    env: 'GAVEL_HEARTBEAT_MS',
    description: 'heartbeat interval while proving',
    parse: parsers.int(100),
    default: 2000,
  },
  deliveryMarginSeconds: {
    env: 'GAVEL_DELIVERY_MARGIN_SECONDS',
    description:
      'seconds added to the estimated proving time in the delivery time each bid signs (missing it can be slashed)',
    parse: parsers.int(1, 86_400),
    default: 120,
  },
  watchtowers: {
    env: 'GAVEL_WATCHTOWERS',
    description:
      "watchtower URLs (comma-separated): the prover files its bid receipts with them (they challenge a coordinator that leaves an accepted bid out of its transcript), asks them for inputs the coordinator does not serve, and reports such faults to them ('' = none)",
    parse: (raw) =>
      raw
        .split(',')
        .map((u) => u.trim().replace(/\/$/, ''))
        .filter((u) => u !== '')
        .map((u) => parsers.url(u)),
    default: [],
  },
  selfFulfilAfterMs: {
    env: 'GAVEL_SELF_FULFIL_AFTER_MS',
    description:
      'fulfil on-chain (at its own gas) this long after its proofs are sent, unless paid by then (at the latest 15 s before the attempt deadline); 0: at once, the default path',
    parse: parsers.int(0),
    default: 0,
  },
  unawardedGraceSeconds: {
    env: 'GAVEL_UNAWARDED_GRACE_SECONDS',
    description:
      'an on-chain assignment of this prover whose award has not arrived this long after (while the agent is idle) is handed back on-chain, unslashed',
    parse: parsers.int(1, 3600),
    default: 30,
  },
  metricsPort: commonSettings.metricsPort,
  logLevel: commonSettings.logLevel,
};
