// What the prover does with the chain around an award: trust awards only from coordinator-role
// keys, read the committed inputs, wait for its assignment to be on-chain before it gives out
// proofs, hand an attempt back without a slash (its signature), and fulfil on its own when its
// proofs are not paid in time, so no coordinator failure can get it slashed.
import { hexlify, type TypedDataDomain, type Wallet } from 'ethers';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ChainTime, WallClock } from '../../shared/chain/chain-clock.js';
import { fulfilItems } from '../../shared/chain/fulfil-items.js';
import type { GavelContracts, OnChainJob } from '../../shared/chain/gavel-contracts.js';
import { commitPublicInputs } from '../../shared/chain/public-inputs-commitment.js';
import { GavelError } from '../../shared/errors.js';
import type { Award } from '../../shared/protocol/messages.js';
import { signHandBack } from '../../shared/protocol/result-signing.js';
import { sleep } from '../../shared/retry.js';
import type { BidBook } from '../bidding/bid-book.js';
import type { ProofPayload } from '../prover-link.js';

/** How long (wall time) a hand-back the coordinator accepted is left to its relay before the
 *  prover relays it. */
const RELAY_GRACE_MS = 10_000;
/** Seconds of chain time before its attempt deadline by which the prover's own transactions are
 *  sent at the latest (a hand-back, a fulfil): time for them to be mined. */
const SEND_BEFORE_DEADLINE_SECONDS = 15;

/** An attempt the prover may hold: from its award, or from the chain and its own bid. */
export type AttemptRef = Pick<Award, 'jobId' | 'attempt' | 'coordinatorUrl' | 'deadline'>;

export interface DutyOptions {
  coordinatorUrl: string;
  selfFulfilAfterMs: number;
}

export class ChainDuty {
  private readonly holders = new Map<string, number>();
  /** Verifiers seen to accept a valid proof within the Market's verifier gas budget. */
  private readonly verifiersWithinBudget = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly duties = new Set<Promise<void>>();
  private stopped = false;
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
    /** Accepted bids: how long each may still be assigned. */
    private readonly bids: BidBook,
    /** Deadlines and bid expiries are judged by chain time; the relay grace by the wall clock. */
    private readonly clock: { chain: ChainTime; wall: WallClock },
  ) {
    this.me = wallet.address.toLowerCase();
  }

  /** A key found holding the coordinator role is trusted for a minute; one found without it is
   *  asked about again next time (roles can be granted). */
  async isCoordinator(address: string): Promise<boolean> {
    const key = address.toLowerCase();
    if ((this.holders.get(key) ?? 0) > this.clock.wall.nowMs()) return true;
    const holds = (await this.chain.market.getFunction('isCoordinator')(key)) as boolean;
    if (holds) this.holders.set(key, this.clock.wall.nowMs() + 60_000);
    else this.holders.delete(key);
    return holds;
  }

  async commitments(
    jobId: string,
  ): Promise<{ inputsHash: string; publicInputsRoot: string; verifier: string }> {
    const { inputsHash, publicInputsRoot, verifier } = await this.chain.job(jobId);
    return { inputsHash, publicInputsRoot, verifier };
  }

  /** Throws VERIFIER_OVER_BUDGET unless `verifier` (the job's) accepts `proof` within the gas the
   *  Market gives a verifier whose verdict can slash (VERIFY_GAS, with the call's own base and
   *  calldata cost taken out of it: an estimate on the safe side). A verifier that needs more
   *  would make this valid proof look invalid to slashInvalid. Checked once per verifier. */
  async checkVerifierBudget(verifier: string, proof: ProofPayload): Promise<void> {
    const key = verifier.toLowerCase();
    if (this.verifiersWithinBudget.has(key)) return;
    const budget = await this.chain.verifyGasBudget();
    if (!(await this.chain.verifierAccepts(verifier, hexlify(proof.proof), proof.publicInputs, budget)))
      throw new GavelError(
        'VERIFIER_OVER_BUDGET',
        `verifier ${verifier} does not accept this prover's valid proof within the ${budget} gas the Market gives it: a slash could take it for invalid`,
      );
    this.verifiersWithinBudget.add(key);
  }

  /** Resolves once the chain has assigned this award's attempt to this prover: only then are its
   *  proofs given out (a requester must not cancel and keep them). Waits as long as the bid may
   *  still be assigned (its signed expiry: until a mined block is past it), no longer and no shorter. */
  async awaitAssignment(award: Award): Promise<void> {
    const bid = this.bids.get(award.jobId, award.attempt);
    const expiry = bid?.expiry ?? award.deadline;
    for (let polls = 0; ; polls++) {
      const job = await this.chain.job(award.jobId);
      if (this.holds(job, award)) return;
      const over = job.attempt > award.attempt || ['Settled', 'Cancelled', 'Expired'].includes(job.status);
      // The coordinator may also have given the attempt up (the chain refused the assignment).
      const dropped = polls % 5 === 4 && (await this.attemptDropped(award));
      if (over || dropped || this.clock.chain.hasPassed(expiry)) {
        throw new GavelError(
          'NOT_ASSIGNED_ON_CHAIN',
          `job ${award.jobId} attempt ${award.attempt} was not assigned to this prover on-chain (${job.status})`,
        );
      }
      await sleep(300);
    }
  }

  /** Seconds of chain time left before this award's on-chain attempt deadline. */
  async secondsLeft(award: Award): Promise<number> {
    const job = await this.chain.job(award.jobId);
    return job.attemptDeadline - this.clock.chain.nowSeconds();
  }

  /** Whether a mined block is past `t` (chain time). */
  hasPassed(t: number): boolean {
    return this.clock.chain.hasPassed(t);
  }

  /** Whether the chain has this attempt assigned to this prover now. */
  async holdsNow(ref: Pick<Award, 'jobId' | 'attempt'>): Promise<boolean> {
    return this.holds(await this.chain.job(ref.jobId), ref);
  }

  private holds(job: OnChainJob, award: { attempt: number }): boolean {
    return job.status === 'Assigned' && job.attempt === award.attempt && job.prover.toLowerCase() === this.me;
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

  /** Gives the attempt back without a slash: the coordinator is told (it re-auctions at once) and
   *  relays it, and the prover makes sure the chain took it (the coordinator may be slow, dead or
   *  lying), relaying it itself at once when the coordinator cannot be reached or `relayNow`. */
  async handBack(award: AttemptRef, why: string, relayNow = false): Promise<void> {
    const signature = await signHandBack(this.wallet, this.domain, award.jobId, award.attempt);
    const told = await this.handBackThroughCoordinator(award, why, signature);
    const work = this.ensureHandedBack(
      award,
      signature,
      this.clock.wall.nowMs() + (told && !relayNow ? RELAY_GRACE_MS : 0),
    );
    // Kept either way, so stop() waits for it: no chain call outlives the agent.
    this.track(work, 'making sure of the hand-back');
    if (!told || relayNow) await work;
  }

  private async handBackThroughCoordinator(
    award: AttemptRef,
    why: string,
    signature: string,
  ): Promise<boolean> {
    try {
      const res = await fetch(`${award.coordinatorUrl}/v1/jobs/${award.jobId}/hand-back`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ attempt: award.attempt, signature, reason: why.slice(0, 200) }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return true;
      this.log.warn({ jobId: award.jobId, status: res.status }, 'the coordinator refused the hand-back');
    } catch (err) {
      this.log.warn({ jobId: award.jobId, err: err }, 'cannot reach the coordinator to hand back');
    }
    return false;
  }

  /**
   * Watches the chain until the attempt is no longer this prover's, relaying the signed hand-back
   * itself once `relayAtMs` (wall) has come, or its attempt deadline is near, while the chain still
   * holds it. An attempt not assigned yet may still be, until the bid expires: watched until then.
   */
  private async ensureHandedBack(award: AttemptRef, signature: string, relayAtMs: number): Promise<void> {
    const expiry = this.bids.get(award.jobId, award.attempt)?.expiry ?? award.deadline;
    for (;;) {
      if (this.stopped) return;
      const job = await this.chain.job(award.jobId);
      if (this.holds(job, award)) {
        const late = this.clock.chain.nowSeconds() >= job.attemptDeadline - SEND_BEFORE_DEADLINE_SECONDS;
        if (this.clock.wall.nowMs() >= relayAtMs || late) {
          await this.oneAtATime(async () => {
            if (this.holds(await this.chain.job(award.jobId), award))
              await this.chain.handBack(award.jobId, award.attempt, signature);
          });
          this.log.info({ jobId: award.jobId, attempt: award.attempt }, 'handed back on-chain by the prover');
          return;
        }
      } else if (job.attempt > award.attempt || job.status !== 'Open' || this.clock.chain.hasPassed(expiry)) {
        return; // released, or never to be assigned
      }
      await sleep(1000);
    }
  }

  /**
   * Takes the payment duty back for an attempt this prover holds whose award it no longer has (an
   * agent restarted after acknowledging it, review N18): if the coordinator serves this prover's
   * verified proofs of every item, they are watched until paid and fulfilled by the prover itself
   * if they are not. False when there are none to take back.
   */
  async resumePayment(
    ref: Pick<AttemptRef, 'jobId' | 'attempt' | 'coordinatorUrl'>,
    items: number,
  ): Promise<boolean> {
    let view: { proofs?: { item: number; prover: string; proof: string; publicInputs: string[] }[] };
    try {
      const res = await fetch(`${ref.coordinatorUrl}/v1/jobs/${ref.jobId}/proofs`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) return false;
      view = (await res.json()) as typeof view;
    } catch {
      return false;
    }
    const mine = (view.proofs ?? [])
      .filter((p) => p.prover.toLowerCase() === this.me)
      .sort((a, b) => a.item - b.item);
    if (mine.length !== items || mine.some((p, i) => p.item !== i)) return false;
    const proofs = mine.map((p) => ({
      proof: new Uint8Array(Buffer.from(p.proof, 'base64')),
      publicInputs: p.publicInputs,
    }));
    this.watchPayment(ref, proofs);
    return true;
  }

  /** Keeps a background duty's promise so stop() can wait for it; its failure is logged. */
  private track(work: Promise<void>, what: string): void {
    const p = work
      .catch((err) => this.log.error({ err }, `${what} failed`))
      .finally(() => this.duties.delete(p));
    this.duties.add(p);
  }

  /** Fulfils on-chain itself (the default path: the prover pays the gas of its own payment) once
   *  its proofs are sent, after selfFulfilAfterMs (0 by default) or 15 s of chain time before the
   *  attempt deadline, whichever is first, unless paid by then. `proofs` holds every item, in order. */
  watchPayment(award: Pick<Award, 'jobId' | 'attempt'>, proofs: ProofPayload[]): void {
    if (this.stopped) return;
    // Every chain call is kept in the duties stop() waits for: none outlives the agent (a read
    // left running after stop failed on the destroyed provider, seen in CI).
    const watching = this.chain.job(award.jobId).then((job) => {
      if (this.stopped) return;
      const { chain, wall } = this.clock;
      const latest = chain.wallMsAt(job.attemptDeadline - SEND_BEFORE_DEADLINE_SECONDS) - wall.nowMs();
      const delay = Math.max(0, Math.min(this.options.selfFulfilAfterMs, latest));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.stopped) return;
        const fulfilling = this.oneAtATime(() => this.fulfilIfUnpaid(award, proofs)).catch(async (err) => {
          // The coordinator's relay may have landed first.
          const job = await this.chain.job(award.jobId).catch(() => undefined);
          if (job?.status === 'Settled') this.log.info({ jobId: award.jobId }, 'paid (by the relay)');
          else this.log.error({ jobId: award.jobId, err }, 'fulfilling on-chain failed');
        });
        this.track(fulfilling, 'fulfilling on-chain');
      }, delay);
      this.timers.add(timer);
    });
    this.track(watching, 'watching the payment');
  }

  private async fulfilIfUnpaid(
    award: Pick<Award, 'jobId' | 'attempt'>,
    proofs: ProofPayload[],
  ): Promise<void> {
    const job = await this.chain.job(award.jobId);
    if (!this.holds(job, award)) return;
    this.log.info({ jobId: award.jobId }, 'fulfilling on-chain');
    const commitment = commitPublicInputs(proofs.map((p) => p.publicInputs));
    const items = proofs.map((p, index) => ({ index, ...p }));
    const { gas } = await fulfilItems(this.chain, award.jobId, items, commitment);
    this.log.info({ jobId: award.jobId, gas: gas.toString() }, 'fulfilled on-chain and paid');
  }

  /** Stops the timers and background duties (a hand-back still unsure is left to the chain's
   *  deadline: handing back is only ever the prover's choice, never required of it). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.duties);
  }
}
