// What the coordinator opens before its stages run: chain (with this replica's key), NATS (stream,
// consumer, presence bucket), database pool, verifier (warmed up) and metrics.

import { readFileSync } from 'node:fs';
import { type JsonRpcProvider, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { ChainClock, wallClock } from '../shared/chain/chain-clock.js';
import { readDeployment } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { ConfigError } from '../shared/config.js';
import { createPrisma } from '../shared/db/client.js';
import { GavelError } from '../shared/errors.js';
import { connectNats, ensureWorkStream, kvKeys, presenceBucket } from '../shared/nats/connection.js';
import { receiptDomain } from '../shared/protocol/auction-transcript.js';
import { bidDomain } from '../shared/protocol/bid-signing.js';
import { RateLimiter } from '../shared/protocol/rate-limiter.js';
import { ReplayGuard } from '../shared/protocol/replay-guard.js';
import { PROOF_SYSTEMS } from '../shared/proving/backend.js';
import { BbBackend } from '../shared/proving/bb-backend.js';
import { loadCircuit } from '../shared/proving/circuit-artifact.js';
import { ProofSystems } from '../shared/proving/proof-systems.js';
import { solveWitness } from '../shared/proving/witness.js';
import type { CoordinatorConfig } from './config.js';
import type { CoordinatorContext } from './context.js';
import { preparedCircuit } from './intake/circuit-store.js';
import { IntakeBackend } from './intake/intake-backend.js';
import { Metrics } from './metrics.js';
import { ReplicaPresence } from './replicas/replica-presence.js';

export type Resources = Pick<
  CoordinatorContext,
  | 'prisma'
  | 'nc'
  | 'chain'
  | 'clock'
  | 'domain'
  | 'receiptDomain'
  | 'signer'
  | 'replay'
  | 'limits'
  | 'verifiers'
  | 'intake'
  | 'circuits'
  | 'metrics'
  | 'liveProvers'
  | 'replicas'
>;

/** This replica's key must hold the coordinator role, or every assignment would revert. */
export async function assertCoordinatorRole(chain: GavelContracts): Promise<void> {
  const address = await (chain.market.runner as Wallet).getAddress();
  if (await chain.market.getFunction('isCoordinator')(address)) return;
  throw new GavelError(
    'NOT_COORDINATOR',
    `${address} (GAVEL_COORDINATOR_KEY) does not hold the coordinator role on Market ${String(chain.market.target)}: ` +
      `the Market's owner grants it with setCoordinator(${address}, true) (or deploy with gavel deploy --coordinator ${address})`,
  );
}

export async function openResources(config: CoordinatorConfig, log: Logger): Promise<Resources> {
  if (!config.natsAccountSeed && !config.openNats) {
    throw new ConfigError(
      'GAVEL_NATS_ACCOUNT_SEED is not set: refusing to run a market on open NATS, where anyone reads bids and forges messages (gavel nats init makes the account; GAVEL_OPEN_NATS=1 runs open, for local development only)',
    );
  }
  const deployment = readDeployment(config.deploymentFile);
  const signer = new Wallet(config.coordinatorKey, rpcProvider(config.rpcUrl));
  const chain = new GavelContracts(deployment, signer);
  try {
    await assertCoordinatorRole(chain);
  } catch (err) {
    (chain.market.runner?.provider as { destroy?: () => void } | undefined)?.destroy?.();
    throw err;
  }
  const clock = { chain: await new ChainClock(signer.provider as JsonRpcProvider).start(), wall: wallClock };
  const metrics = new Metrics();
  const nc = await connectNats({
    url: config.natsUrl,
    name: 'gavel-coordinator',
    creds: config.natsCreds ? readFileSync(config.natsCreds, 'utf8') : undefined,
    caFile: config.natsCa || undefined,
    onReconnect: () => {
      metrics.natsReconnects.inc();
      log.warn('reconnected to NATS');
    },
  });
  if (!config.natsAccountSeed)
    log.warn('GAVEL_OPEN_NATS=1: the market NATS is open, anyone can read bids and forge messages');
  await ensureWorkStream(nc, config.workStreamMaxBytes, config.natsReplicas);
  const presence = await presenceBucket(nc, config.natsReplicas);
  const replicas = await ReplicaPresence.open(nc, config.natsReplicas);
  const prisma = createPrisma(config.databaseUrl, config.dbPoolSize);
  // PLONK is verified when snarkjs (optional) is installed; without it no PLONK circuit registers.
  const verifiers = new ProofSystems(await BbBackend.create({ kind: 'wasm', threads: 1 }), PROOF_SYSTEMS);
  // Pay the witness solver's one-time WASM compilation now, not on the first job's intake.
  await solveWitness(loadCircuit('tiny_square'), { x: '3', y: '9' });
  const liveProvers = async () => new Set([...(await kvKeys(presence))].map((k) => k.toLowerCase()));
  metrics.watchState({
    jobsByState: async () => {
      const rows = await prisma.job.groupBy({ by: ['status'], _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    },
    outboxBacklog: () => prisma.outboxAction.count({ where: { status: 'PENDING' } }),
    liveProvers: async () => (await liveProvers()).size,
    liveReplicas: async () => (await replicas.list()).length,
  });
  const domain = bidDomain(deployment.chainId, deployment.market);
  const receipts = receiptDomain(deployment.chainId, deployment.audit);
  const circuits = { prepared: (id: string) => preparedCircuit(prisma, id) };
  const replay = new ReplayGuard();
  // A prover bids once per round, says hello once per start and heartbeats every second or two
  // while proving: these budgets only stop floods (each heartbeat costs an ecrecover and a write).
  const limits = {
    bids: new RateLimiter(20, 40),
    hellos: new RateLimiter(0.2, 5),
    heartbeats: new RateLimiter(4, 20),
  };
  const intake = new IntakeBackend();
  return {
    prisma,
    nc,
    chain,
    clock,
    domain,
    receiptDomain: receipts,
    signer,
    replay,
    limits,
    verifiers,
    intake,
    circuits,
    metrics,
    liveProvers,
    replicas,
  };
}
