// Proving awards: one at a time from the prover's durable consumer. Progress is heartbeated from
// the moment an award arrives; proofs go out once the assignment is on-chain, each published
// (retried through a NATS outage until the deadline) before the next; the award is acknowledged
// only when every result is out, so a restarted agent picks it back up. Inputs come from the
// coordinator or, when it does not serve them, a watchtower mirror (inputs-sources.ts). A retryable failure is
// tried again; any other hands the attempt back (signed: no slash). Sent proofs are watched until
// paid, and fulfilled on-chain by the prover itself if they are not.
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { errorMessage, GavelError, ProvingError } from '../../shared/errors.js';
import { type Award, parseAward } from '../../shared/protocol/messages.js';
import { verifySigned } from '../../shared/protocol/signed-message.js';
import type { ProofSystem } from '../../shared/proving/backend.js';
import { proofSystemOf } from '../../shared/proving/circuit-artifact.js';
import { type PreparedCircuit, prepareCircuit } from '../../shared/proving/circuit-prover.js';
import { solveItems } from '../../shared/proving/item-public-inputs.js';
import type { ProofSystems } from '../../shared/proving/proof-systems.js';
import { linearBackoff, retry, sleep } from '../../shared/retry.js';
import type { ProverMetrics } from '../metrics.js';
import type { ProofPayload, ProverLink } from '../prover-link.js';
import { CommittedResults } from './committed-results.js';
import { fetchCircuit } from './fetch-work.js';
import type { InputsSources } from './inputs-sources.js';

/** Time kept in hand before the attempt deadline when judging whether the rest of a job fits. */
const FIT_MARGIN_MS = 5000;

/** Whether the items left, at the pace so far, still fit in the seconds left before the on-chain
 *  attempt deadline (missing it can be slashed; handing back before it cannot). */
export function stillFits(msPerItem: number, itemsLeft: number, secondsLeft: number): boolean {
  return msPerItem * itemsLeft + FIT_MARGIN_MS <= secondsLeft * 1000;
}

/** How long a retryable failure waits before the award is redelivered, and how often it may. */
const RETRY_DELAY_MS = 1000;
const MAX_DELIVERIES = 3;

/** What to do with an award whose proving failed: hand it back now (stopping), retry after a
 *  delay (a retryable proving error, within MAX_DELIVERIES), or give it up (term). */
export function afterFailure(
  err: unknown,
  stopping: boolean,
  deliveryCount: number,
): 'hand-back' | 'retry' | 'give-up' {
  if (stopping) return 'hand-back';
  return err instanceof ProvingError && err.retryable && deliveryCount < MAX_DELIVERIES ? 'retry' : 'give-up';
}

/** Failures that say a circuit's jobs cannot be delivered safely: its committed results carry
 *  public inputs no honest proof has, or its verifier needs more gas than a slash gives it. */
const REFUSE_CIRCUIT = new Set(['PUBLIC_INPUTS_NOT_COMMITTED', 'VERIFIER_OVER_BUDGET']);

/** What the worker does with the chain (chain-duty.ts): who may award, what was committed, when
 *  proofs may go out, handing back, and fulfilling on its own when unpaid. */
export interface ChainChecks {
  isCoordinator(address: string): Promise<boolean>;
  /** What the escrow committed: the inputs' hash, the root of every item's public inputs and the
   *  verifier. */
  commitments(jobId: string): Promise<{ inputsHash: string; publicInputsRoot: string; verifier: string }>;
  /** Throws VERIFIER_OVER_BUDGET when `verifier` needs more gas than the Market gives it to accept
   *  this (valid) proof. */
  checkVerifierBudget(verifier: string, proof: ProofPayload): Promise<void>;
  awaitAssignment(award: Award): Promise<void>;
  /** Seconds of chain time left before the on-chain attempt deadline. */
  secondsLeft(award: Award): Promise<number>;
  /** Whether a mined block is past `t` (a deadline, chain time). */
  hasPassed(t: number): boolean;
  handBack(award: Award, why: string, relayNow?: boolean): Promise<void>;
  watchPayment(award: Award, proofs: ProofPayload[]): void;
}

export interface Progress {
  jobId: string;
  done: number;
  total: number;
}

export class AwardWorker {
  /** Prepared circuits by id (calibration leaves batch_transfer here). */
  readonly circuits = new Map<string, PreparedCircuit>();
  private readonly preparing = new Map<string, Promise<PreparedCircuit>>();
  /** Circuits a job of which committed results no honest proof carries: never bid on again. */
  readonly refusedCircuits = new Set<string>();
  proving: Progress | undefined;
  jobsProved = 0;
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private current: JsMsg | undefined;
  /** Awards received (job:attempt): an on-chain assignment without one is handed back. */
  private readonly awarded = new Set<string>();

  constructor(
    private readonly link: ProverLink,
    private readonly chain: ChainChecks,
    private readonly inputs: InputsSources,
    private readonly backends: ProofSystems,
    private readonly heartbeatMs: number,
    private readonly metrics: ProverMetrics,
    private readonly log: Logger,
    /** Told the speed of every proof made (domain gates per second), by proof system. */
    private readonly speedSeen: (system: ProofSystem, gatesPerSec: number) => void = () => {},
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopping) {
        try {
          this.messages = await this.link.awards();
          for await (const m of this.messages) {
            if (this.stopping) {
              m.nak();
              break;
            }
            await this.handle(m);
          }
        } catch (err) {
          if (!this.stopping) this.log.warn({ err: err }, 'award consumer interrupted; retrying');
          await sleep(500);
        }
      }
    })();
  }

  /** The award in `m` if it is genuine: for this prover, signed by a key holding the coordinator
   *  role on-chain. Anything else is refused for good (term) and never acted on. */
  private async genuine(m: JsMsg): Promise<{ award: Award; coordinator: string } | undefined> {
    let signed: ReturnType<typeof parseAward>;
    try {
      signed = parseAward(m.data);
    } catch {
      return undefined;
    }
    const award = signed.body;
    if (award.prover.toLowerCase() !== this.link.address || !verifySigned(signed)) return undefined;
    if (!(await this.chain.isCoordinator(signed.signer))) {
      this.log.error(
        { jobId: award.jobId, signer: signed.signer },
        'award not signed by a coordinator: refused',
      );
      return undefined;
    }
    return { award, coordinator: signed.signer.toLowerCase() };
  }

  private async handle(m: JsMsg): Promise<void> {
    const { award, coordinator } = (await this.genuine(m)) ?? {};
    if (!award || !coordinator) {
      this.metrics.jobs.inc({ outcome: 'refused' });
      m.term();
      return;
    }
    const log = this.log.child({ jobId: award.jobId, attempt: award.attempt });
    this.awarded.add(`${award.jobId.toLowerCase()}:${award.attempt}`);
    if (this.chain.hasPassed(award.deadline)) {
      log.warn('award past its deadline: dropping');
      this.metrics.jobs.inc({ outcome: 'dropped' });
      m.ack();
      return;
    }
    this.current = m;
    this.metrics.busy.set(1);
    try {
      await this.prove(award, coordinator, m, log);
      m.ack();
      this.jobsProved++;
      this.metrics.jobs.inc({ outcome: 'proved' });
    } catch (err) {
      this.failed(m, award, err, log);
    } finally {
      this.current = undefined;
      this.proving = undefined;
      this.metrics.busy.set(0);
    }
  }

  /** A failed award: handed back when stopping or when a retry can help, else given up. */
  private failed(m: JsMsg, award: Award, err: unknown, log: Logger): void {
    const next = afterFailure(err, this.stopping, m.info.deliveryCount);
    if (next === 'hand-back') {
      m.nak();
      return;
    }
    this.metrics.jobs.inc({ outcome: next === 'retry' ? 'retried' : 'failed' });
    if (next === 'retry') {
      log.warn({ err: err, delivery: m.info.deliveryCount }, 'proving failed; retrying');
      m.nak(RETRY_DELAY_MS);
      return;
    }
    log.error({ err: err }, 'proving failed: handing the attempt back (no slash)');
    m.term();
    if (err instanceof GavelError && REFUSE_CIRCUIT.has(err.code)) this.refusedCircuits.add(award.circuitId);
    if (!(err instanceof GavelError && err.code === 'NOT_ASSIGNED_ON_CHAIN'))
      void this.chain
        .handBack(award, errorMessage(err), err instanceof GavelError && err.code === 'DELIVERY_WONT_FIT')
        .catch((e) => log.error({ err: e }, 'handing back failed'));
  }

  private async prove(award: Award, coordinator: string, m: JsMsg, log: Logger): Promise<void> {
    const progress: Progress = { jobId: award.jobId, done: 0, total: award.batchSize };
    this.proving = progress;
    const beat = async () => {
      m.working();
      await this.link.heartbeat(award, progress.done, progress.total);
    };
    // Heartbeat at once: preparing the circuit and fetching inputs can take a while.
    await beat();
    const timer = setInterval(() => void beat().catch(() => undefined), this.heartbeatMs);
    try {
      const circuit = await this.circuit(award.coordinatorUrl, award.circuitId);
      // The inputs must be the ones the requester committed to on-chain, whatever the award says.
      const committed = await this.chain.commitments(award.jobId);
      const items = await this.inputs.fetch(award, coordinator, committed.inputsHash);
      // Every item is solved once, up front: its witness is proved, and the public inputs it
      // implies give the Merkle proofs that each result is the one committed (checked before it
      // is signed). Items are JSON objects (their hash is the committed one).
      const solved = await solveItems(circuit.artifact, items as Record<string, unknown>[]);
      const results = CommittedResults.of(solved, committed.publicInputsRoot);
      progress.total = items.length;
      const proofs: ProofPayload[] = [];
      const system = proofSystemOf(circuit.artifact);
      const backend = await this.backends.backend(system);
      const firstStarted = performance.now();
      for (const [index, item] of solved.entries()) {
        if (this.stopping) throw new GavelError('STOPPING', 'agent stopping');
        const started = performance.now();
        const proof = await backend.prove(circuit, item.witness, circuit.vk);
        this.speedSeen(system, circuit.size.dyadic / ((performance.now() - started) / 1000));
        results.check(index, proof.publicInputs);
        if (index === 0) {
          await this.chain.checkVerifierBudget(committed.verifier, proof);
          // Proofs go out only once the assignment is on-chain: nobody gets them for free.
          await this.chain.awaitAssignment(award);
        }
        // The attempt deadline is the chain's: a job that no longer fits is handed back, not missed.
        const left = items.length - index - 1;
        const msPerItem = (performance.now() - firstStarted) / (index + 1);
        if (left > 0 && !stillFits(msPerItem, left, await this.chain.secondsLeft(award)))
          throw new GavelError(
            'DELIVERY_WONT_FIT',
            `${left} items left at ~${Math.round(msPerItem)} ms each do not fit before the attempt deadline`,
          );
        await this.publish(award, index, proof, log);
        proofs.push(proof);
        progress.done = index + 1;
        this.metrics.provingSeconds.observe({ circuit: circuit.name }, (performance.now() - started) / 1000);
        await beat();
        log.info({ item: index, ms: Math.round(performance.now() - started) }, 'batch item proved');
      }
      this.chain.watchPayment(award, proofs);
    } finally {
      clearInterval(timer);
    }
  }

  /** A NATS outage must not cost a finished proof: retry until the award's deadline. */
  private async publish(award: Award, index: number, proof: ProofPayload, log: Logger): Promise<void> {
    await retry(() => this.link.publishResult(award, index, proof), {
      shouldRetry: (err, tries) => {
        if (this.stopping || this.chain.hasPassed(award.deadline)) return false;
        log.warn({ item: index, tries, err }, 'publishing the result failed; retrying');
        return true;
      },
      delayMs: linearBackoff(250, 2000),
    });
  }

  /** A circuit prepared on this prover's backend (fetched once, then cached). */
  async circuit(coordinatorUrl: string, circuitId: string): Promise<PreparedCircuit> {
    const cached = this.circuits.get(circuitId);
    if (cached) return cached;
    // One preparation per circuit: a notice and an announcement arriving together share it.
    let pending = this.preparing.get(circuitId);
    if (!pending) {
      pending = this.prepare(coordinatorUrl, circuitId).finally(() => this.preparing.delete(circuitId));
      this.preparing.set(circuitId, pending);
    }
    return pending;
  }

  private async prepare(coordinatorUrl: string, circuitId: string): Promise<PreparedCircuit> {
    const artifact = await fetchCircuit(coordinatorUrl, circuitId);
    const prepared = await prepareCircuit(await this.backends.backendFor(artifact), artifact);
    this.circuits.set(circuitId, prepared);
    return prepared;
  }

  /** Whether an award for this attempt reached the worker. */
  wasAwarded(jobId: string, attempt: number): boolean {
    return this.awarded.has(`${jobId.toLowerCase()}:${attempt}`);
  }

  /** Whether an award is being handled now (another may be waiting behind it on the stream). */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Hands back an award in progress (nak: redelivered at once) and ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.current?.nak();
    await this.messages?.close();
    await this.loop;
  }
}
