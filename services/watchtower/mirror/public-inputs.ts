// Mirroring public jobs on the watchtower's own initiative. A requester may make a job's inputs
// public (anyone may read them from the coordinator); the watchtower then needs nobody's push: it
// sees each new escrow on-chain, reads the inputs from the coordinator as anyone may, and keeps them
// when they hash to the escrow's commitment — so a coordinator that later withholds them from the
// assigned prover (or dies) does not stop the job. A read the mirror is asked for by the job's
// requester or assigned prover, of inputs it does not hold, pulls them on the spot too. Private
// inputs are never pulled: they reach a mirror only when their requester pushes them.

import type { Logger } from 'pino';
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { GavelError } from '../../shared/errors.js';
import type { WatchtowerMetrics } from '../metrics.js';
import { type InputsMirror, MAX_INPUTS_BYTES } from './inputs-mirror.js';

/** How long after its escrow opened a job's inputs are asked for (the requester submits the job
 *  to the coordinator right after opening the escrow). */
const PULL_WINDOW_MS = 60_000;
/** Most jobs waiting to be pulled at once (the oldest are dropped past it). */
const MAX_PENDING = 1000;

/** What the coordinator answered an unsigned read of a job's inputs. */
type Answer = { kind: 'inputs'; body: Uint8Array } | { kind: 'not yet' } | { kind: 'private'; why: string };

export class PublicInputsPuller {
  /** Jobs seen opening on-chain, to pull until the epoch ms they map to. */
  private readonly pending = new Map<string, number>();
  /** The next block to read escrows from: unset until the first round, which starts at the chain's
   *  head (escrows opened while the watchtower runs; older ones are past the pull window). */
  private nextBlock: number | undefined;
  /** Pulls under way, by job (a round and a read may ask for the same job at once). */
  private readonly inFlight = new Map<string, Promise<void>>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly chain: GavelContracts,
    private readonly mirror: InputsMirror,
    /** The coordinator API to read public inputs from (no trailing slash). */
    private readonly coordinatorUrl: string,
    private readonly metrics: WatchtowerMetrics,
    private readonly log: Logger,
  ) {}

  /** Starts a round unless one is running (a slow coordinator never holds up the watchtower's
   *  other rounds); `idle` waits for it. */
  tick(): void {
    this.running ??= this.round()
      .catch((err) => this.log.warn({ err: err }, 'pulling public inputs failed; trying again'))
      .finally(() => {
        this.running = undefined;
      });
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Notes the escrows opened since the last round, then asks for every pending job's inputs. */
  private async round(now = Date.now()): Promise<void> {
    await this.newEscrows(now);
    const asks: Promise<void>[] = [];
    for (const [jobId, until] of this.pending) {
      if (now > until || this.mirror.holds(jobId)) this.pending.delete(jobId);
      else asks.push(this.pullNow(jobId));
    }
    await Promise.all(asks);
  }

  private async newEscrows(now: number): Promise<void> {
    const provider = this.chain.market.runner?.provider;
    if (!provider) return;
    const latest = await provider.getBlockNumber();
    this.nextBlock ??= latest;
    if (latest < this.nextBlock) return;
    const market = this.chain.market;
    const opened = await readInChunks(this.nextBlock, latest, (from, to) =>
      market.queryFilter('JobOpened', from, to),
    );
    for (const log of opened) {
      const jobId = String(market.interface.parseLog(log)?.args.jobId ?? '').toLowerCase();
      if (!jobId || this.mirror.holds(jobId)) continue;
      this.pending.set(jobId, now + PULL_WINDOW_MS);
      if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    }
    this.nextBlock = latest + 1;
  }

  /** Pulls `jobId`'s inputs now if the coordinator serves them to anyone (see InputsMirror.serve). */
  pullNow(jobId: string): Promise<void> {
    let pulling = this.inFlight.get(jobId);
    if (!pulling) {
      pulling = this.pull(jobId).finally(() => this.inFlight.delete(jobId));
      this.inFlight.set(jobId, pulling);
    }
    return pulling;
  }

  private async pull(jobId: string): Promise<void> {
    if (this.mirror.holds(jobId)) return;
    const answer = await this.ask(jobId);
    if (answer.kind === 'not yet') return;
    this.pending.delete(jobId);
    if (answer.kind === 'private') {
      this.log.debug({ jobId, why: answer.why }, 'inputs not public: mirrored only when pushed');
      return;
    }
    try {
      await this.mirror.hold(jobId, answer.body, 'pulled');
    } catch (err) {
      if (err instanceof GavelError && err.code === 'INPUTS_MISMATCH') {
        this.metrics.publicMismatches.inc();
        this.log.warn(
          { jobId, err: err.message },
          'ALERT: the coordinator serves public inputs that do not match the escrow',
        );
        return;
      }
      this.log.info({ jobId, err: err }, 'public inputs not mirrored');
    }
  }

  /** An unsigned read, as anyone may make of a public job's inputs. */
  private async ask(jobId: string): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${this.coordinatorUrl}/v1/jobs/${jobId}/inputs`, {
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      return { kind: 'not yet' };
    }
    if (res.ok) {
      const body = await bodyUpTo(res, MAX_INPUTS_BYTES);
      return body
        ? { kind: 'inputs', body }
        : { kind: 'private', why: `inputs larger than ${MAX_INPUTS_BYTES} bytes` };
    }
    const code = ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;
    // Not submitted yet, or the coordinator is busy or down for a moment: ask again next round.
    if (res.status >= 500 || res.status === 429 || code === 'UNKNOWN_JOB') return { kind: 'not yet' };
    return { kind: 'private', why: `${res.status} ${code ?? ''}`.trim() };
  }
}

/** The body of `res`, or undefined as soon as it passes `max` bytes (counted decoded, so a
 *  compressed body stops there too; the rest is never read). */
export async function bodyUpTo(res: Response, max: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
