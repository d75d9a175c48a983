// The watchtower's deadline round: every deadline the book says has passed is enforced on-chain
// (slashLate for the bounty, or expire), each on its own, once a mined block is past it (the chain's
// clock: never too early). A job the chain will not act on (a revert that is not "somebody was
// first", a node error) is logged and counted, and the round goes on to the others: one frozen job
// must not stop every later deadline from being enforced.
import { formatEther } from 'ethers';
import type { Logger } from 'pino';
import { ContractRevertError } from '../../shared/chain/contract-errors.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { WatchtowerMetrics } from '../metrics.js';
import type { DeadlineBook, Enforcement } from './deadline-book.js';

/** The revert meaning somebody else enforced first. */
const TAKEN = 'WrongStatus';

type Receipt = Awaited<ReturnType<GavelContracts['expire']>>;

export class DeadlineEnforcer {
  enforced = 0;
  bountyWei = 0n;

  constructor(
    private readonly chain: Pick<GavelContracts, 'slashLate' | 'expire'>,
    private readonly book: Pick<DeadlineBook, 'refresh' | 'due' | 'reread' | 'size'>,
    /** The bounty paid to this watchtower by a receipt's logs. */
    private readonly bountyIn: (logs: Receipt['logs']) => bigint,
    private readonly metrics: Pick<WatchtowerMetrics, 'actions' | 'bountyEth' | 'watched' | 'overdue'>,
    private readonly log: Logger,
  ) {}

  /** Reads new events, then enforces every deadline the latest mined block (`latestBlockSeconds`,
   *  the chain clock's) is past, one job at a time. */
  async round(latestBlockSeconds: number): Promise<void> {
    await this.book.refresh();
    const due = this.book.due(latestBlockSeconds);
    this.metrics.watched.set(this.book.size);
    this.metrics.overdue.set(due.length);
    for (const job of due) {
      try {
        await this.enforce(job);
      } catch (err) {
        this.metrics.actions.inc({ action: job.action, outcome: 'failed' });
        this.log.warn(
          { jobId: job.jobId, action: job.action, err: err },
          'cannot enforce this deadline now; going on with the other jobs',
        );
      }
    }
  }

  private async enforce({ jobId, action }: Enforcement): Promise<void> {
    try {
      const receipt =
        action === 'slash_late' ? await this.chain.slashLate(jobId) : await this.chain.expire(jobId);
      const bounty = this.bountyIn(receipt.logs);
      this.enforced++;
      this.bountyWei += bounty;
      this.metrics.actions.inc({ action, outcome: 'done' });
      this.metrics.bountyEth.inc(Number(formatEther(bounty)));
      this.log.info({ jobId, action, tx: receipt.hash, bountyWei: bounty.toString() }, 'deadline enforced');
    } catch (err) {
      if (!(err instanceof ContractRevertError && err.errorName === TAKEN)) throw err;
      this.metrics.actions.inc({ action, outcome: 'taken' });
    }
    await this.book.reread(jobId);
  }
}
