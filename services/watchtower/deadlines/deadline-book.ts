// The jobs that still lock money on-chain (an open escrow, or an assigned prover's collateral) and
// their deadlines, kept from the Market's events: every job an event touches is read again from
// the chain, which is the only source the watchtower trusts.
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { JobStatus } from '../../shared/chain/job-status.js';

export interface LiveJob {
  jobId: string;
  status: Extract<JobStatus, 'Open' | 'Assigned'>;
  /** Unix seconds: the job's deadline (an open job expires after it). */
  deadline: number;
  /** Unix seconds: the assigned prover's own attempt deadline (it is slashable after it). */
  attemptDeadline: number;
}

export type Enforcement = { jobId: string; action: 'slash_late' | 'expire' };

export class DeadlineBook {
  private readonly jobs = new Map<string, LiveJob>();
  /** Jobs an event touched whose state could not be read yet. */
  private readonly unread = new Set<string>();

  constructor(
    private readonly chain: GavelContracts,
    private nextBlock: number,
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  /** Reads the Market events since the last call and re-reads every job they touch. */
  async refresh(): Promise<void> {
    const provider = this.chain.market.runner?.provider;
    if (!provider) throw new Error('the watchtower needs a chain provider');
    const latest = await provider.getBlockNumber();
    if (latest < this.nextBlock) return;
    const logs = await readInChunks(this.nextBlock, latest, (fromBlock, toBlock) =>
      provider.getLogs({ address: this.chain.deployment.market, fromBlock, toBlock }),
    );
    const touched = new Set<string>();
    for (const log of logs) {
      const event = this.chain.market.interface.parseLog(log);
      // Job events only: the Market also emits CoordinatorSet and Claimed (an address, not a job;
      // reading one as a job failed every round after it, and no deadline was enforced again).
      if (event?.fragment.inputs[0]?.name === 'jobId') touched.add(String(event.args[0]).toLowerCase());
    }
    // A job that cannot be read now is read again next time, without holding up the others.
    for (const jobId of [...this.unread, ...touched]) {
      try {
        await this.reread(jobId);
        this.unread.delete(jobId);
      } catch {
        this.unread.add(jobId);
      }
    }
    this.nextBlock = latest + 1;
  }

  /** The job as the chain has it now: kept while it locks money, dropped once it ended. */
  async reread(jobId: string): Promise<void> {
    const job = await this.chain.job(jobId);
    if (job.status === 'Open' || job.status === 'Assigned') {
      const { status, deadline, attemptDeadline } = job;
      this.jobs.set(jobId, { jobId, status, deadline, attemptDeadline });
    } else this.jobs.delete(jobId);
  }

  /** What can be enforced once a mined block's time is `nowSeconds`: slash a prover past its
   *  attempt deadline, expire an open job past its deadline. */
  due(nowSeconds: number): Enforcement[] {
    const out: Enforcement[] = [];
    for (const j of this.jobs.values()) {
      if (j.status === 'Assigned' && nowSeconds > j.attemptDeadline)
        out.push({ jobId: j.jobId, action: 'slash_late' });
      else if (j.status === 'Open' && nowSeconds > j.deadline) out.push({ jobId: j.jobId, action: 'expire' });
    }
    return out;
  }
}
