// The prover agent: checks its on-chain registration, measures its speed, says hello, keeps its
// presence alive (presence.ts), bids on what its policy and speed allow (bidding/bidder.ts) and
// proves its awards (proving/award-worker.ts). All protocol messages go through ProverLink.

import { type JsonRpcProvider, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { ChainClock, type WallClock, wallClock } from '../shared/chain/chain-clock.js';
import { readDeployment } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { GavelError } from '../shared/errors.js';
import { attestationDomain } from '../shared/protocol/attestation.js';
import { bidDomain } from '../shared/protocol/bid-signing.js';
import type { ProofSystem } from '../shared/proving/backend.js';
import { BbBackend } from '../shared/proving/bb-backend.js';
import type { PreparedCircuit } from '../shared/proving/circuit-prover.js';
import { largestDyadic, locateCrs } from '../shared/proving/crs.js';
import { ProofSystems } from '../shared/proving/proof-systems.js';
import { BidBook } from './bidding/bid-book.js';
import { Bidder, type BidderState } from './bidding/bidder.js';
import { VerifierCheck } from './bidding/verifier-check.js';
import { calibrate } from './calibrate.js';
import type { ProverConfig } from './config.js';
import { ProverMetrics } from './metrics.js';
import { Presence } from './presence.js';
import { ProverLink } from './prover-link.js';
import { AssignmentWatch } from './proving/assignment-watch.js';
import { AwardWorker, type Progress } from './proving/award-worker.js';
import { ChainDuty } from './proving/chain-duty.js';
import { InputsSources } from './proving/inputs-sources.js';

export interface ProverStatus {
  address: string;
  backend: string;
  proofSystems: ProofSystem[];
  threads: number;
  gatesPerSec: number;
  plonkGatesPerSec: number;
  maxDyadic: number;
  bidsSent: number;
  bidsAccepted: number;
  jobsProved: number;
  proving: Progress | undefined;
  metricsUrl: string;
}

async function assertRegistered(config: ProverConfig, wallet: Wallet): Promise<void> {
  const chain = new GavelContracts(readDeployment(config.deploymentFile), rpcProvider(config.rpcUrl));
  const info = await chain.proverInfo(wallet.address);
  (chain.staking.runner as { destroy?: () => void } | null)?.destroy?.();
  if (!info.registered) {
    throw new GavelError(
      'NOT_REGISTERED',
      `${wallet.address} is not a registered prover: run gavel prover register`,
    );
  }
}

/** The largest dyadic size this prover takes: its setting, capped by the local CRS. */
function maxDyadicOf(config: ProverConfig): number {
  const crs = locateCrs();
  const crsLimit = largestDyadic(crs);
  return config.maxDyadic > 0 ? Math.min(config.maxDyadic, crsLimit) : crsLimit;
}

/** How often the agent looks at the chain for its own assignments. */
const WATCH_MS = 2000;

export class ProverAgent {
  readonly address: string;
  private readonly state: BidderState;
  private readonly bidder: Bidder;
  private readonly worker: AwardWorker;
  private readonly duty: ChainDuty;
  private presence: Presence | undefined;
  private stopping = false;
  private readonly assignments: AssignmentWatch;
  private watchTimer: NodeJS.Timeout | undefined;
  private watching: Promise<void> | undefined;

  private constructor(
    readonly config: ProverConfig,
    private readonly log: Logger,
    private readonly link: ProverLink,
    private readonly chain: GavelContracts,
    private readonly backends: ProofSystems,
    readonly metrics: ProverMetrics,
    state: Pick<BidderState, 'gatesPerSec' | 'maxDyadic'>,
    private readonly clock: { chain: ChainClock; wall: WallClock },
  ) {
    this.address = link.address;
    const bids = new BidBook();
    const duty = new ChainDuty(chain, link.wallet, link.domain, config, log, bids, clock);
    this.duty = duty;
    const { chainId, market } = chain.deployment;
    const inputs = new InputsSources(
      link.wallet,
      attestationDomain(chainId, market),
      config.watchtowers,
      (award) => duty.awaitAssignment(award),
      log,
    );
    this.worker = new AwardWorker(
      link,
      duty,
      inputs,
      backends,
      config.heartbeatMs,
      metrics,
      log,
      (system, speed) => {
        // PLONK has no calibration at start: its estimate follows the proofs actually made.
        if (system === 'plonk') this.state.plonkGatesPerSec = speed;
      },
    );
    this.state = {
      ...state,
      proofSystems: config.proofSystems,
      plonkGatesPerSec: config.plonkGatesPerSec,
      bidsSent: 0,
      bidsAccepted: 0,
      inputsUnavailable: inputs.unavailable,
      refusedCircuits: this.worker.refusedCircuits,
    };
    const verifiers = new VerifierCheck(chain, backends, (url, id) => this.worker.circuit(url, id));
    const locked = async (): Promise<bigint> =>
      (await chain.staking.getFunction('proverInfo')(link.address)).locked;
    this.bidder = new Bidder(link, config, this.state, metrics, verifiers, locked, bids, log);
    const deps = {
      chain,
      me: this.address,
      worker: this.worker,
      duty,
      bids,
      coordinatorUrl: config.coordinatorUrl,
      log,
    };
    this.assignments = new AssignmentWatch(deps, config.unawardedGraceSeconds, clock);
  }

  static async start(config: ProverConfig, log: Logger): Promise<ProverAgent> {
    const deployment = readDeployment(config.deploymentFile);
    const wallet = new Wallet(config.key);
    await assertRegistered(config, wallet);
    const backend = await BbBackend.create({ kind: config.backend, threads: config.threads });
    // Calibration also warms the backend and leaves batch_transfer prepared for the first award.
    const warm: PreparedCircuit[] = [];
    const gatesPerSec =
      config.gatesPerSec > 0
        ? config.gatesPerSec
        : (await calibrate(backend, 1, (c) => warm.push(c))).gatesPerSec;
    const metrics = new ProverMetrics();
    metrics.speed.set(gatesPerSec);
    const link = await ProverLink.connect({
      coordinatorUrl: config.coordinatorUrl,
      natsUrl: config.natsUrl,
      natsCa: config.natsCa,
      wallet,
      domain: bidDomain(deployment.chainId, deployment.market),
      onReconnect: () => {
        metrics.natsReconnects.inc();
        log.warn('reconnected to NATS');
      },
      onCredentialsRefused: (err) =>
        log.error({ err: err }, 'renewing NATS credentials failed: cut off when they expire'),
    });
    // The prover's own key sends its on-chain duties (hand-backs, fulfilling unpaid proofs).
    const chain = new GavelContracts(deployment, wallet.connect(rpcProvider(config.rpcUrl)));
    const speed = { gatesPerSec, maxDyadic: maxDyadicOf(config) };
    const backends = new ProofSystems(backend, config.proofSystems);
    // Asked for PLONK without snarkjs installed: say so now, not at the first PLONK job.
    if (config.proofSystems.includes('plonk')) await backends.backend('plonk');
    const provider = chain.market.runner?.provider as JsonRpcProvider;
    const clock = { chain: await new ChainClock(provider).start(), wall: wallClock };
    const agent = new ProverAgent(config, log, link, chain, backends, metrics, speed, clock);
    for (const c of warm) agent.worker.circuits.set(c.id, c);
    await agent.run();
    return agent;
  }

  private async run(): Promise<void> {
    const { config } = this;
    const metricsUrl = await this.metrics.serve(config.metricsPort);
    this.metricsUrl = metricsUrl;
    const reply = await this.link.hello(
      {
        name: config.name,
        backend: config.backend,
        proofSystems: config.proofSystems,
        plonkGatesPerSec: config.proofSystems.includes('plonk') ? this.state.plonkGatesPerSec : 0,
        threads: config.threads,
        maxDyadic: this.state.maxDyadic,
        gatesPerSec: this.state.gatesPerSec,
      },
      { retries: 30 },
    );
    if (!reply.ok) throw new GavelError('HELLO_REFUSED', `coordinator refused hello: ${reply.reason}`);
    this.presence = new Presence(await this.link.presenceBucket(), this.address, () => this.status, this.log);
    await this.presence.start();
    this.bidder.start();
    this.worker.start();
    this.watchTimer = setInterval(() => {
      this.watching ??= this.assignments
        .tick()
        .catch((err) => this.log.warn({ err: err }, 'watching assignments failed; trying again'))
        .finally(() => {
          this.watching = undefined;
        });
    }, WATCH_MS);
    const { gatesPerSec, maxDyadic } = this.state;
    this.log.info(
      {
        prover: this.address,
        backend: config.backend,
        proofSystems: config.proofSystems,
        gatesPerSec,
        maxDyadic,
        metrics: metricsUrl,
      },
      'prover started',
    );
  }

  private metricsUrl = '';

  /** What the agent reports in its presence entry and `gavel prover status`. */
  get status(): ProverStatus {
    return {
      address: this.address,
      backend: this.config.backend,
      proofSystems: this.config.proofSystems,
      threads: this.config.threads,
      gatesPerSec: this.state.gatesPerSec,
      plonkGatesPerSec: this.state.plonkGatesPerSec,
      maxDyadic: this.state.maxDyadic,
      bidsSent: this.state.bidsSent,
      bidsAccepted: this.state.bidsAccepted,
      jobsProved: this.worker.jobsProved,
      proving: this.worker.proving,
      metricsUrl: this.metricsUrl,
    };
  }

  /** Stops bidding, hands back an award in progress (redelivered at once), closes everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.watchTimer);
    await this.watching;
    await this.bidder.stop();
    await this.worker.stop();
    await this.duty.stop();
    this.clock.chain.stop();
    await this.presence?.stop();
    await this.metrics.close();
    await this.link.nc.drain().catch(() => undefined);
    await this.backends.destroy();
    (this.chain.market.runner?.provider as { destroy?: () => void } | null)?.destroy?.();
    this.log.info('prover stopped');
  }
}
