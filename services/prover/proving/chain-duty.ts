// What the prover does with the chain around an award: trust awards only from coordinator-role
// keys, read the committed inputs, wait for its assignment to be on-chain before it gives out
// proofs, hand an attempt back without a slash (its signature), and fulfil on its own when its
// proofs are not paid in time, so no coordinator failure can get it slashed.
import type { TypedDataDomain, Wallet } from 'ethers';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { fulfilItems } from '../../shared/chain/fulfil-items.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { commitPublicInputs } from '../../shared/chain/public-inputs-commitment.js';
import { errorMessage, GavelError } from '../../shared/errors.js';
import type { Award } from '../../shared/protocol/messages.js';
import type { ProofPayload } from '../../shared/protocol/prover-link.js';
import { signHandBack } from '../../shared/protocol/result-signing.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the prover waits for its assignment to reach the chain before it gives the award up. */
const ASSIGNMENT_WAIT_MS = 120_000;

export interface DutyOptions {
  coordinatorUrl: string;
  selfFulfilAfterMs: number;
}

export class ChainDuty {
  private readonly holders = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly me: string;
  /** One transaction at a time from this prover's key: two sent at once took one nonce, and the
   *  second failed "replacement fee too low" (seen with two self-fulfils due together). */
  private readonly oneAtATime = pLimit(1);

  constructor(
    private readonly chain: GavelContracts,
    private readonly wallet: Wallet,
    private readonly domain: TypedDataDomain,
    private readonly options: DutyOptions,
    private readonly log: Logger,
  ) {
    this.me = wallet.address.toLowerCase();
  }

  /** A key found holding the coordinator role is trusted for a minute; one found without it is
   *  asked about again next time (roles can be granted). */
  async isCoordinator(address: string): Promise<boolean> {
    const key = address.toLowerCase();
    if ((this.holders.get(key) ?? 0) > Date.now()) return true;
    const holds = (await this.chain.market.getFunction('isCoordinator')(key)) as boolean;
    if (holds) this.holders.set(key, Date.now() + 60_000);
    else this.holders.delete(key);
    return holds;
  }

  async commitments(jobId: string): Promise<{ inputsHash: string; publicInputsRoot: string }> {
    const { inputsHash, publicInputsRoot } = await this.chain.job(jobId);
    return { inputsHash, publicInputsRoot };
  }

  /** Resolves once the chain has assigned this award's attempt to this prover: only then are its
   *  proofs given out (a requester must not cancel and keep them). */
  async awaitAssignment(award: Award): Promise<void> {
    const giveUpAt = Math.min(award.deadline * 1000, Date.now() + ASSIGNMENT_WAIT_MS);
    for (let polls = 0; ; polls++) {
      const job = await this.chain.job(award.jobId);
      if (job.status === 'Assigned' && job.attempt === award.attempt && job.prover.toLowerCase() === this.me)
        return;
      const over = job.attempt > award.attempt || ['Settled', 'Cancelled', 'Expired'].includes(job.status);
      // The coordinator may also have given the attempt up (the chain refused the assignment).
      const dropped = polls % 5 === 4 && (await this.attemptDropped(award));
      if (over || dropped || Date.now() > giveUpAt) {
        throw new GavelError(
          'NOT_ASSIGNED_ON_CHAIN',
          `job ${award.jobId} attempt ${award.attempt} was not assigned to this prover on-chain (${job.status})`,
        );
      }
      await sleep(300);
    }
  }

  /** Whether the coordinator says this award's attempt is over (it only makes the prover stop
   *  waiting; an unreachable coordinator says nothing). */
  private async attemptDropped(award: Award): Promise<boolean> {
    try {
      const res = await fetch(`${award.coordinatorUrl}/v1/jobs/${award.jobId}`, {
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) return false;
      const view = (await res.json()) as {
        attempt: number;
        assignments: { attempt: number; status: string }[];
      };
      const mine = view.assignments.find((a) => a.attempt === award.attempt);
      return view.attempt > award.attempt || mine?.status === 'FAILED';
    } catch {
      return false;
    }
  }

  /** Gives the attempt back without a slash: through the coordinator (it re-auctions at once), or
   *  on-chain directly when the coordinator cannot be reached. */
  async handBack(award: Award, why: string): Promise<void> {
    const signature = await signHandBack(this.wallet, this.domain, award.jobId, award.attempt);
    try {
      const res = await fetch(`${award.coordinatorUrl}/v1/jobs/${award.jobId}/hand-back`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ attempt: award.attempt, signature, reason: why.slice(0, 200) }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return;
      this.log.warn({ jobId: award.jobId, status: res.status }, 'the coordinator refused the hand-back');
    } catch (err) {
      this.log.warn(
        { jobId: award.jobId, err: errorMessage(err) },
        'cannot reach the coordinator to hand back',
      );
    }
    await this.oneAtATime(async () => {
      const job = await this.chain.job(award.jobId);
      if (job.status === 'Assigned' && job.attempt === award.attempt && job.prover.toLowerCase() === this.me)
        await this.chain.handBack(award.jobId, award.attempt, signature);
    });
  }

  /** Watches sent proofs: unpaid after selfFulfilAfterMs (or 15 s before the attempt deadline),
   *  the prover fulfils on-chain itself. `proofs` holds every item, in order. */
  watchPayment(award: Award, proofs: ProofPayload[]): void {
    void this.chain.job(award.jobId).then((job) => {
      const latest = job.attemptDeadline * 1000 - 15_000;
      const delay = Math.max(0, Math.min(this.options.selfFulfilAfterMs, latest - Date.now()));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.oneAtATime(() => this.fulfilIfUnpaid(award, proofs)).catch(async (err) => {
          // The coordinator's relay may have landed first.
          const job = await this.chain.job(award.jobId).catch(() => undefined);
          if (job?.status === 'Settled') this.log.info({ jobId: award.jobId }, 'paid (by the relay)');
          else this.log.error({ jobId: award.jobId, err: errorMessage(err) }, 'fulfilling on-chain failed');
        });
      }, delay);
      this.timers.add(timer);
    });
  }

  private async fulfilIfUnpaid(award: Award, proofs: ProofPayload[]): Promise<void> {
    const job = await this.chain.job(award.jobId);
    if (!(job.status === 'Assigned' && job.attempt === award.attempt && job.prover.toLowerCase() === this.me))
      return;
    this.log.warn({ jobId: award.jobId }, 'proofs not paid yet: fulfilling on-chain directly');
    const commitment = commitPublicInputs(proofs.map((p) => p.publicInputs));
    const items = proofs.map((p, index) => ({ index, ...p }));
    const { gas } = await fulfilItems(this.chain, award.jobId, items, commitment);
    this.log.info({ jobId: award.jobId, gas: gas.toString() }, 'fulfilled on-chain and paid');
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
