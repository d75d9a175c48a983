// A watchtower: anyone can run one, with no coordinator credentials. It follows the Market's events
// and, when a deadline the chain knows about passes, calls the permissionless slashLate (earning
// the slasher's bounty) or expire. With the coordinator dead for good, no escrow and no collateral
// stays locked past its deadline while one watchtower runs. It also audits every auction against
// the transcript committed at assignment (auction-auditor.ts), with the receipts provers file, keeps
// job inputs available to the assigned prover (inputs-mirror.ts: pushed by requesters, and public
// jobs' pulled on its own, public-inputs.ts), and signs what it checked.
import { join } from 'node:path';
import { type JsonRpcProvider, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { AuctionAudit } from '../shared/chain/auction-audit.js';
import { ChainClock, type ChainTime } from '../shared/chain/chain-clock.js';
import { readDeployment } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { attestationDomain } from '../shared/protocol/attestation.js';
import { receiptDomain } from '../shared/protocol/auction-transcript.js';
import { bidDomain } from '../shared/protocol/bid-signing.js';
import type { ProofSystem, ProvingBackend } from '../shared/proving/backend.js';
import { BbBackend } from '../shared/proving/bb-backend.js';
import { PlonkBackend } from '../shared/proving/plonk/plonk-backend.js';
import { AuctionAuditor, type HeldReceipt } from './audit/auction-auditor.js';
import { ReceiptFile } from './audit/receipt-file.js';
import { receiptFrom } from './audit/receipt-intake.js';
import type { WatchtowerConfig } from './config.js';
import { DeadlineBook } from './deadlines/deadline-book.js';
import { DeadlineEnforcer } from './deadlines/deadline-enforcer.js';
import { Diligence } from './diligence/diligence.js';
import { serveApi, type WatchtowerApi } from './http-api.js';
import { WatchtowerMetrics } from './metrics.js';
import { InputsMirror } from './mirror/inputs-mirror.js';
import { PublicInputsPuller } from './mirror/public-inputs.js';

export interface WatchtowerStatus {
  address: string;
  watched: number;
  enforced: number;
  bountyWei: string;
  /** The HTTP API (receipts, audits); metrics at `${url}/metrics`. */
  url: string;
  metricsUrl: string;
  audited: number;
  attested: number;
  bondsEarnedWei: string;
}

export class Watchtower {
  readonly address: string;
  private readonly metrics = new WatchtowerMetrics();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly deadlines: DeadlineEnforcer;
  private api: WatchtowerApi | undefined;
  private readonly auditor: AuctionAuditor;
  private readonly diligence: Diligence;
  private readonly mirror: InputsMirror;
  /** Pulls public jobs' inputs into the mirror (none without a coordinator API to read). */
  private readonly puller: PublicInputsPuller | undefined;
  /** The backends that re-verify fulfilled proofs, made at the first proof of each system. */
  private readonly backends = new Map<ProofSystem, Promise<ProvingBackend>>();

  private constructor(
    private readonly chain: GavelContracts,
    private readonly book: DeadlineBook,
    private readonly config: Pick<
      WatchtowerConfig,
      | 'coordinatorUrl'
      | 'revealGraceMs'
      | 'dataDir'
      | 'backend'
      | 'mirrorMaxBytes'
      | 'mirrorKeepMs'
      | 'mirrorQuotaBytes'
      | 'mirrorReservePerKibWei'
    >,
    private readonly log: Logger,
    /** Deadlines are judged by the chain's clock (its latest mined block). */
    private readonly clock: ChainTime & { stop(): void },
  ) {
    this.address = (chain.signer() as Wallet).address.toLowerCase();
    this.deadlines = new DeadlineEnforcer(chain, book, (logs) => this.bountyIn(logs), this.metrics, log);
    const { chainId, market } = chain.deployment;
    const coordinatorUrl = config.coordinatorUrl.replace(/\/$/, '');
    const common = { chain, metrics: this.metrics, log };
    this.auditor = new AuctionAuditor({
      ...common,
      audit: new AuctionAudit(chain),
      bidDomain: bidDomain(chainId, market),
      coordinatorUrl,
      chainTime: clock,
      revealGraceMs: config.revealGraceMs,
    });
    this.mirror = new InputsMirror({
      ...common,
      signer: chain.signer(),
      domain: attestationDomain(chainId, market),
      dir: join(config.dataDir, `mirror-${this.address}`),
      maxBytes: config.mirrorMaxBytes,
      quotaBytes: config.mirrorQuotaBytes,
      reservePerKibWei: config.mirrorReservePerKibWei,
    });
    if (coordinatorUrl !== '') {
      const puller = new PublicInputsPuller(chain, this.mirror, coordinatorUrl, this.metrics, log);
      this.mirror.pullWith((jobId) => puller.pullNow(jobId));
      this.puller = puller;
    }
    this.diligence = new Diligence({
      ...common,
      signer: chain.signer(),
      domain: attestationDomain(chainId, market),
      coordinatorUrl,
      backend: (system) => this.backendFor(system),
      checks: { auditor: this.auditor, mirror: this.mirror },
      file: join(config.dataDir, `attestations-${this.address}.jsonl`),
    });
  }

  /** The backend that re-verifies fulfilled proofs of `system`, made at its first proof (one that
   *  failed to start, snarkjs not installed, is tried again next time). */
  private backendFor(system: ProofSystem): Promise<ProvingBackend> {
    let backend = this.backends.get(system);
    if (!backend) {
      backend =
        system === 'plonk'
          ? PlonkBackend.create()
          : BbBackend.create({ kind: this.config.backend, threads: 1 });
      backend.catch(() => this.backends.delete(system));
      this.backends.set(system, backend);
    }
    return backend;
  }

  static async start(config: WatchtowerConfig, log: Logger): Promise<Watchtower> {
    const deployment = readDeployment(config.deploymentFile);
    const wallet = new Wallet(config.key, rpcProvider(config.rpcUrl));
    const chain = new GavelContracts(deployment, wallet);
    const clock = await new ChainClock(wallet.provider as JsonRpcProvider).start();
    const book = new DeadlineBook(chain, deployment.blockNumber);
    const tower = new Watchtower(chain, book, config, log, clock);
    const domains = {
      bid: bidDomain(deployment.chainId, deployment.market),
      receipt: receiptDomain(deployment.chainId, deployment.audit),
    };
    const receipts = new ReceiptFile(join(config.dataDir, `receipts-${tower.address}.jsonl`));
    const heldAtStart = await tower.reloadReceipts(receipts, (body) => receiptFrom(body, chain, domains));
    tower.api = await serveApi(config.port, config.host, {
      metrics: tower.metrics,
      auditor: tower.auditor,
      diligence: tower.diligence,
      mirror: tower.mirror,
      rateLimitPerMin: config.rateLimitPerMin,
      receiptFrom: (body) => receiptFrom(body, chain, domains),
      keepReceipt: (body) => receipts.append(body),
      heldAtStart,
    });
    tower.mirror.url = config.publicUrl || tower.api.url;
    await tower.tick();
    tower.timer = setInterval(() => {
      tower.ticking ??= tower.tick().finally(() => {
        tower.ticking = undefined;
      });
    }, config.pollMs);
    log.info({ watchtower: tower.address, url: tower.api.url }, 'watchtower started');
    return tower;
  }

  /** Holds again the receipts kept before a restart (checked again: a filing that no longer
   *  checks out is logged and left out). Returns how many are held. */
  private async reloadReceipts(
    file: ReceiptFile,
    check: (body: Uint8Array) => Promise<HeldReceipt>,
  ): Promise<number> {
    let held = 0;
    for (const body of file.load()) {
      try {
        if (await this.auditor.holdReceipt(await check(body))) held++;
      } catch (err) {
        this.log.warn({ err }, 'a kept receipt no longer checks out; left out');
      }
    }
    if (held > 0) this.log.info({ receipts: held }, 'receipts kept before the restart held again');
    return held;
  }

  get status(): WatchtowerStatus {
    return {
      address: this.address,
      watched: this.book.size,
      enforced: this.deadlines.enforced,
      bountyWei: this.deadlines.bountyWei.toString(),
      url: this.api?.url ?? '',
      metricsUrl: `${this.api?.url ?? ''}/metrics`,
      audited: this.auditor.list().length,
      attested: this.diligence.list().length,
      bondsEarnedWei: this.auditor.bondsEarnedWei.toString(),
    };
  }

  private async tick(): Promise<void> {
    try {
      await this.deadlines.round(this.clock.latestSeconds());
    } catch (err) {
      this.log.warn({ err: err }, 'watch round failed; trying again');
    }
    try {
      this.puller?.tick();
      await this.auditor.tick();
      await this.diligence.tick();
      await this.mirror.prune(this.config.mirrorKeepMs);
    } catch (err) {
      this.log.warn({ err: err }, 'audit round failed; trying again');
    }
  }

  /** The bounty paid to this watchtower by the Staking contract's Slashed events in `logs`. */
  private bountyIn(logs: readonly { address: string; topics: readonly string[]; data: string }[]): bigint {
    let bounty = 0n;
    for (const log of logs) {
      if (log.address.toLowerCase() !== this.chain.deployment.staking.toLowerCase()) continue;
      const event = this.chain.staking.interface.parseLog(log);
      if (event?.name === 'Slashed' && String(event.args.slasher).toLowerCase() === this.address)
        bounty += event.args.toSlasher as bigint;
    }
    return bounty;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    this.clock.stop();
    await this.puller?.idle();
    await this.api?.close();
    for (const backend of this.backends.values()) await (await backend.catch(() => undefined))?.destroy();
    (this.chain.market.runner?.provider as { destroy?: () => void } | null)?.destroy?.();
    this.log.info('watchtower stopped');
  }
}
