// Preparing a circuit before its first auction: when the coordinator notices a new circuit, the
// prover fetches it, builds its VK and checks its registered verifier, one circuit at a time in
// the background. Its first bid then costs what any bid costs; unprepared, the VK and the check
// took most of a 1.5 s auction window on a busy 2-core machine, and a bid could arrive too late.
import type { Logger } from 'pino';
import type { CircuitNotice } from '../../shared/protocol/messages.js';
import { MAX_PTAU_POWER } from '../../shared/proving/plonk/ptau.js';
import type { ProverMetrics } from '../metrics.js';
import type { BidderState } from './bidder.js';
import type { VerifierCheck } from './verifier-check.js';

export class CircuitPreparer {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: BidderState,
    private readonly verifiers: VerifierCheck,
    private readonly metrics: ProverMetrics,
    private readonly log: Logger,
  ) {}

  /** Queues `notice`'s circuit for preparation when this prover could bid on it. */
  noticed(notice: CircuitNotice): void {
    const maxDyadic = notice.proofSystem === 'plonk' ? 2 ** MAX_PTAU_POWER : this.state.maxDyadic;
    if (!this.state.proofSystems.includes(notice.proofSystem) || notice.dyadic > maxDyadic) return;
    this.queue = this.queue.then(() => this.prepare(notice));
  }

  /** Waits for the preparations queued so far (at stop). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async prepare(notice: CircuitNotice): Promise<void> {
    const started = performance.now();
    const log = this.log.child({ circuitId: notice.circuitId, verifier: notice.verifier });
    try {
      const problem = await this.verifiers.verdict(notice);
      const ms = Math.round(performance.now() - started);
      this.metrics.circuitsPrepared.inc({ verdict: problem ? 'refused' : 'ok' });
      if (problem)
        log.warn({ ms, problem }, 'noticed circuit prepared: its verifier will not be bid through');
      else log.info({ ms }, 'noticed circuit prepared before its first auction');
    } catch (err) {
      // Not fatal: the first announcement of the circuit tries again.
      this.metrics.circuitsPrepared.inc({ verdict: 'failed' });
      log.warn({ err: err }, 'noticed circuit could not be prepared');
    }
  }
}
