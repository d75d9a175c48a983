// What the coordinator's stages share: database, NATS, chain, verifier, config and logger.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Signer, TypedDataDomain } from 'ethers';
import type { Logger } from 'pino';
import type { ChainTime, WallClock } from '../shared/chain/chain-clock.js';
import type { GavelContracts } from '../shared/chain/gavel-contracts.js';
import type { PrismaClient } from '../shared/db/client.js';
import type { RateLimiter } from '../shared/protocol/rate-limiter.js';
import type { ReplayGuard } from '../shared/protocol/replay-guard.js';
import type { PreparedCircuit } from '../shared/proving/circuit-prover.js';
import type { ProofSystems } from '../shared/proving/proof-systems.js';
import type { CoordinatorConfig } from './config.js';
import type { IntakeBackend } from './intake/intake-backend.js';
import type { Metrics } from './metrics.js';
import type { ReplicaPresence } from './replicas/replica-presence.js';

export interface CoordinatorContext {
  config: CoordinatorConfig;
  prisma: PrismaClient;
  nc: NatsConnection;
  js: JetStreamClient;
  /** Contracts driven by this replica's coordinator key. */
  chain: GavelContracts;
  /** Deadlines are judged by `chain` (block time); windows, timeouts and backoffs by `wall`. */
  clock: { chain: ChainTime & { refresh(): Promise<void>; stop(): void }; wall: WallClock };
  domain: TypedDataDomain;
  /** The AuctionAudit contract's EIP-712 domain: bid receipts are signed in it. */
  receiptDomain: TypedDataDomain;
  /** This replica's coordinator key: it signs awards and bid receipts. */
  signer: Signer;
  /** Refuses replayed or stale hellos and heartbeats. */
  replay: ReplayGuard;
  /** Per-prover budgets of bids and hellos (a flood is answered RATE_LIMITED, not processed). */
  limits: { bids: RateLimiter; hellos: RateLimiter; heartbeats: RateLimiter };
  /** Verifies results, with the backend of each circuit's proof system. */
  verifiers: ProofSystems;
  /** Measures uploaded circuits, apart from the verifier (intake/intake-backend.ts). */
  intake: IntakeBackend;
  /** Registered circuits ready for the verifier (intake/circuit-store.ts), cached by id. */
  circuits: { prepared(circuitId: string): Promise<PreparedCircuit> };
  log: Logger;
  metrics: Metrics;
  /** URL provers use to fetch circuits and inputs. */
  publicUrl: () => string;
  /** Addresses (lowercase) of provers whose presence entry has not expired. */
  liveProvers: () => Promise<Set<string>>;
  /** This replica's entry in the replica bucket, and every running replica's. */
  replicas: ReplicaPresence;
  /** Wake a loop now instead of at its next tick: after a state change that gives it work. */
  kick: {
    /** Announce the auction rounds that are due. */
    announce: () => void;
    /** Close auction rounds at `atMs` (epoch ms), the moment their window ends. */
    close: (atMs: number) => void;
    /** Run the outbox (on-chain actions). */
    outbox: () => void;
  };
}

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
