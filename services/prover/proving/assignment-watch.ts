// The prover watches the chain for its own assignments (JobAssigned naming its address), not only
// its awards: a coordinator that assigns it on-chain and never sends the award (crashed, or lying)
// would otherwise leave it slashable for an attempt it never knew it held. An assignment whose
// award has not reached the agent after a grace period, while the agent is idle, is handed back
// on-chain (its signature: released, no slash).
import type { Logger } from 'pino';
import type { ChainTime, WallClock } from '../../shared/chain/chain-clock.js';
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { BidBook } from '../bidding/bid-book.js';
import type { AttemptRef } from './chain-duty.js';

/** How far back the first read looks: assignments made while the agent was down. */
const LOOKBACK_BLOCKS = 5000;

export interface AssignmentWatchDeps {
  chain: GavelContracts;
  me: string;
  worker: { wasAwarded(jobId: string, attempt: number): boolean; readonly busy: boolean };
  duty: {
    holdsNow(ref: { jobId: string; attempt: number }): Promise<boolean>;
    resumePayment(ref: AttemptRef, items: number): Promise<boolean>;
    handBack(ref: AttemptRef, why: string, relayNow: boolean): Promise<void>;
  };
  bids: BidBook;
  coordinatorUrl: string;
  log: Logger;
}

interface Unawarded {
  jobId: string;
  attempt: number;
  deadline: number;
  items: number;
  /** Wall time (ms) the assignment was first seen. */
  noticedAtMs: number;
}

export class AssignmentWatch {
  private nextBlock: number | undefined;
  private readonly unawarded = new Map<string, Unawarded>();

  constructor(
    private readonly deps: AssignmentWatchDeps,
    /** Seconds an assignment may wait for its award before it is handed back (a wall-clock window). */
    private readonly graceSeconds: number,
    private readonly clock: { chain: ChainTime; wall: WallClock },
  ) {}

  /** One look at the chain: new assignments of this prover, then the ones still without an award. */
  async tick(): Promise<void> {
    await this.readAssignments();
    for (const [key, a] of this.unawarded) {
      if (this.deps.worker.wasAwarded(a.jobId, a.attempt)) {
        this.unawarded.delete(key);
        continue;
      }
      const waiting = this.clock.wall.nowMs() < a.noticedAtMs + this.graceSeconds * 1000;
      if (this.deps.worker.busy || waiting) continue;
      this.unawarded.delete(key);
      if (!(await this.deps.duty.holdsNow(a))) continue;
      await this.release(a);
    }
    this.deps.bids.prune(this.clock.chain.nowSeconds());
  }

  /** An attempt this prover holds without its award: its payment watched when it proved it already
   *  (the agent restarted after acknowledging the award), else handed back on-chain. */
  private async release(a: Unawarded): Promise<void> {
    const coordinatorUrl = this.deps.bids.get(a.jobId, a.attempt)?.coordinatorUrl ?? this.deps.coordinatorUrl;
    const log = this.deps.log.child({ jobId: a.jobId, attempt: a.attempt });
    if (await this.deps.duty.resumePayment({ ...a, coordinatorUrl }, a.items)) {
      log.info('held attempt proved already: watching its payment');
      return;
    }
    log.warn('assigned on-chain without an award: handing back');
    await this.deps.duty
      .handBack({ ...a, coordinatorUrl }, 'assigned on-chain without an award', true)
      .catch((err) => log.error({ err: err }, 'handing back failed'));
  }

  private async readAssignments(): Promise<void> {
    const { market } = this.deps.chain;
    const provider = market.runner?.provider;
    if (!provider) return;
    const latest = await provider.getBlockNumber();
    const from = this.nextBlock ?? Math.max(0, latest - LOOKBACK_BLOCKS);
    const filter = market.filters.JobAssigned?.(null, this.deps.me);
    if (!filter) return;
    for (const e of await readInChunks(from, latest, (a, b) => market.queryFilter(filter, a, b))) {
      if (!('args' in e)) continue;
      const jobId = String(e.args.jobId).toLowerCase();
      const attempt = Number(e.args.attempt);
      if (this.deps.worker.wasAwarded(jobId, attempt)) continue;
      const { deadline, items } = await this.deps.chain.job(jobId);
      const noticedAtMs = this.clock.wall.nowMs();
      this.unawarded.set(`${jobId}:${attempt}`, { jobId, attempt, deadline, items, noticedAtMs });
    }
    this.nextBlock = latest + 1;
  }
}
