// The watchtower's inputs mirror (its seat on the data availability committee). Anyone may push a
// job's inputs; they are kept only when they hash to the inputs hash the job's escrow commits to
// on-chain, stored once per content hash, and answered with a signed InputsHeld attestation. They
// are served, like the coordinator serves them, to a signed read from the job's requester or from
// the prover the chain has assigned — decided by the chain, not by any coordinator. Provers file
// signed fault reports here against a party that did not serve the committed inputs; a report is
// kept only from the prover the chain assigned that attempt to.

import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { formatEther, type Signer, type TypedDataDomain } from 'ethers';
import type { Logger } from 'pino';
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { GavelError } from '../../shared/errors.js';
import { VERDICT, type Verdict } from '../../shared/protocol/attestation.js';
import { inputsHash } from '../../shared/protocol/canonical-json.js';
import {
  FAULT_KIND,
  inputsFaultSigner,
  parseInputsFault,
  type SignedInputsFault,
  type SignedInputsHeld,
  signInputsHeld,
} from '../../shared/protocol/inputs-availability.js';
import { assertFresh, requestSigner } from '../../shared/protocol/request-auth.js';
import { parseJson } from '../../shared/protocol/validate.js';
import type { WatchtowerMetrics } from '../metrics.js';

/** The largest inputs document taken (a batch of 64 batch_transfer items is about 1 MiB). */
export const MAX_INPUTS_BYTES = 8 * 1024 * 1024;
/** Most batch items a mirrored job may have. */
const MAX_ITEMS = 1024;
/** Jobs whose escrow can still be proved: inputs are taken and served only for these. */
const LIVE = new Set(['Open', 'Assigned']);

interface Mirrored {
  jobId: string;
  inputsHash: string;
  bytes: number;
  /** Whose escrow the inputs are for (counted against its quota until the job ends). */
  requester?: string;
  /** The inputs were deleted once the job had ended (settled, expired or cancelled) for a while. */
  pruned?: boolean;
}

/** The Market events after which a job's inputs are no longer needed. */
const ENDED = ['JobSettled', 'JobExpired', 'JobCancelled'] as const;

/** A signed read: the request's time (epoch ms), its signature, and the attempt a prover reads for. */
export interface SignedRead {
  at: number;
  signature: string | undefined;
  attempt: number | undefined;
}

export interface MirrorOptions {
  chain: GavelContracts;
  signer: Signer;
  domain: TypedDataDomain;
  dir: string;
  maxBytes: number;
  /** Most bytes mirrored for one requester's live jobs. */
  quotaBytes: number;
  /** Reserve (wei) an escrow must lock per KiB mirrored for it. */
  reservePerKibWei: bigint;
  metrics: WatchtowerMetrics;
  log: Logger;
}

export class InputsMirror {
  private readonly jobs = new Map<string, Mirrored>();
  private readonly faults = new Map<string, SignedInputsFault>();
  private bytes = 0;
  /** Jobs holding each content hash (not pruned). */
  private readonly holders = new Map<string, number>();
  /** Bytes mirrored for each requester's jobs (not pruned). */
  private readonly byRequester = new Map<string, number>();
  private readonly inputsDir: string;
  /** Mirrored jobs seen ending on-chain, and when. */
  private readonly ended = new Map<string, number>();
  /** Asked for a job's inputs this mirror does not hold, before saying so: pulls a public job's
   *  from the coordinator (public-inputs.ts). */
  private pullOnMiss: ((jobId: string) => Promise<void>) | undefined;
  private nextBlock: number;

  private readonly chain: GavelContracts;
  private readonly signer: Signer;
  private readonly domain: TypedDataDomain;
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly quotaBytes: number;
  private readonly reservePerKibWei: bigint;
  private readonly metrics: WatchtowerMetrics;
  private readonly log: Logger;

  /** The URL this mirror serves inputs at, signed into its attestations (set once the API listens). */
  url = '';

  constructor(options: MirrorOptions) {
    this.chain = options.chain;
    this.signer = options.signer;
    this.domain = options.domain;
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.quotaBytes = options.quotaBytes;
    this.reservePerKibWei = options.reservePerKibWei;
    this.metrics = options.metrics;
    this.log = options.log;
    this.nextBlock = this.chain.deployment.blockNumber;
    this.inputsDir = join(this.dir, 'inputs');
    mkdirSync(this.inputsDir, { recursive: true });
    for (const m of readLines<Mirrored>(join(this.dir, 'mirrored.jsonl'))) this.remember(m);
    for (const f of readLines<SignedInputsFault>(join(this.dir, 'inputs-faults.jsonl')))
      this.faults.set(faultKey(f), f);
  }

  /** Files are shared by content hash: their bytes count once, while any job holds them. */
  private holding(hash: string): boolean {
    return (this.holders.get(hash) ?? 0) > 0;
  }

  private remember(m: Mirrored): void {
    const before = this.jobs.get(m.jobId);
    if (before && !before.pruned) {
      this.release(before);
      this.charge(before, -1);
    }
    this.jobs.set(m.jobId, m);
    if (!m.pruned) {
      if (!this.holding(m.inputsHash)) this.bytes += m.bytes;
      this.holders.set(m.inputsHash, (this.holders.get(m.inputsHash) ?? 0) + 1);
      this.charge(m, 1);
    }
    this.metrics.mirroredBytes.set(this.bytes);
  }

  /** Counts a mirrored job's bytes for (1) or off (-1) its requester's quota. */
  private charge(m: Mirrored, sign: 1 | -1): void {
    if (!m.requester) return;
    const left = (this.byRequester.get(m.requester) ?? 0) + sign * m.bytes;
    if (left > 0) this.byRequester.set(m.requester, left);
    else this.byRequester.delete(m.requester);
  }

  /** Refuses inputs for an escrow that does not pay for their room: RESERVE_TOO_LOW when its
   *  reserve locks less than the price per KiB, QUOTA_EXCEEDED past its requester's quota (review
   *  N11: cheap escrows with far deadlines cannot fill the mirror). */
  private assertRoomPaid(job: { requester: string; reserve: bigint }, bytes: number): void {
    const kib = Math.ceil(bytes / 1024);
    const needed = this.reservePerKibWei * BigInt(kib);
    if (job.reserve < needed)
      throw new GavelError(
        'RESERVE_TOO_LOW',
        `this watchtower mirrors ${kib} KiB of inputs only for an escrow whose reserve locks at least ${formatEther(needed)} ETH (${this.reservePerKibWei} wei per KiB); this one locks ${formatEther(job.reserve)} ETH`,
      );
    const requester = job.requester.toLowerCase();
    const used = this.byRequester.get(requester) ?? 0;
    if (used + bytes > this.quotaBytes)
      throw new GavelError(
        'QUOTA_EXCEEDED',
        `requester ${requester} has ${used} bytes of inputs mirrored here for live jobs; this watchtower holds at most ${this.quotaBytes} per requester until its jobs end`,
      );
  }

  private release(m: Mirrored): void {
    const left = (this.holders.get(m.inputsHash) ?? 1) - 1;
    if (left > 0) {
      this.holders.set(m.inputsHash, left);
      return;
    }
    this.holders.delete(m.inputsHash);
    this.bytes -= m.bytes;
  }

  private record(m: Mirrored): void {
    appendFileSync(join(this.dir, 'mirrored.jsonl'), `${JSON.stringify(m)}\n`);
    this.remember(m);
  }

  /**
   * Deletes the inputs of jobs that ended on-chain at least `keepMs` ago (their record stays, so
   * the job's availability verdict does too). Reads the Market's end events since the last call.
   */
  async prune(keepMs: number): Promise<void> {
    const provider = this.chain.market.runner?.provider;
    if (!provider) return;
    const latest = await provider.getBlockNumber();
    if (latest >= this.nextBlock) {
      const market = this.chain.market;
      const anyEnd = [ENDED.map((name) => market.interface.getEvent(name)?.topicHash ?? name)];
      const ends = await readInChunks(this.nextBlock, latest, (from, to) =>
        market.queryFilter(anyEnd, from, to),
      );
      for (const log of ends) {
        const jobId = String(market.interface.parseLog(log)?.args.jobId ?? '').toLowerCase();
        if (this.jobs.has(jobId) && !this.ended.has(jobId)) this.ended.set(jobId, Date.now());
      }
      this.nextBlock = latest + 1;
    }
    for (const [jobId, at] of this.ended) {
      const m = this.jobs.get(jobId);
      if (!m || m.pruned || Date.now() - at < keepMs) continue;
      this.record({ ...m, pruned: true });
      this.ended.delete(jobId);
      if (!this.holding(m.inputsHash)) rmSync(join(this.inputsDir, `${m.inputsHash}.json`), { force: true });
      this.log.info({ jobId }, 'mirrored inputs deleted: the job ended');
    }
  }

  /** Takes `body` ({ items }) into the mirror when it hashes to job `jobId`'s committed inputs
   *  hash, and signs that it holds them. */
  async hold(
    jobId: string,
    body: Uint8Array,
    how: 'pushed' | 'pulled' = 'pushed',
  ): Promise<SignedInputsHeld> {
    const items = parseJson(body, MAX_INPUTS_BYTES).items;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS)
      throw new GavelError('BAD_INPUTS', `items must be an array of 1..${MAX_ITEMS} input sets`);
    if (!items.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i)))
      throw new GavelError('BAD_INPUTS', 'every item must be an object of circuit inputs');
    const job = await this.liveJob(jobId);
    const hash = inputsHash(items).toLowerCase();
    if (hash !== job.inputsHash.toLowerCase())
      throw new GavelError(
        'INPUTS_MISMATCH',
        `these inputs hash to ${hash}; the escrow of job ${jobId} commits to ${job.inputsHash}`,
      );
    if (!this.jobs.has(jobId)) {
      this.assertRoomPaid(job, body.length);
      const file = join(this.inputsDir, `${hash}.json`);
      const known = existsSync(file);
      if (!known && this.bytes + body.length > this.maxBytes)
        throw new GavelError('FULL', 'this watchtower mirrors all the inputs it can hold');
      if (!known) {
        writeFileSync(`${file}.tmp`, JSON.stringify({ items }));
        renameSync(`${file}.tmp`, file);
      }
      this.record({ jobId, inputsHash: hash, bytes: body.length, requester: job.requester.toLowerCase() });
      this.metrics.mirrored.inc({ how });
      this.log.info({ jobId, inputsHash: hash, items: items.length, how }, 'inputs mirrored');
    }
    if (!this.url) throw new GavelError('NOT_SERVING', 'the mirror does not serve inputs yet');
    return signInputsHeld(this.signer, this.domain, {
      jobId,
      inputsHash: hash,
      at: Math.floor(Date.now() / 1000),
      url: this.url,
    });
  }

  /** The mirrored inputs of `jobId` for a signed read by its requester or its assigned prover. */
  async serve(
    jobId: string,
    read: SignedRead,
  ): Promise<{ jobId: string; inputsHash: string; items: unknown[] }> {
    if (!this.jobs.has(jobId) && !this.pullOnMiss) throw notMirrored(jobId);
    assertFresh(read.at);
    const reader = requestSigner('read inputs', { job: jobId, at: read.at }, read.signature);
    const job = await this.chain.job(jobId);
    const requester = reader === job.requester.toLowerCase();
    if (!requester) {
      if (read.attempt !== undefined && read.attempt < job.attempt)
        throw new GavelError(
          'ATTEMPT_OVER',
          `attempt ${read.attempt} of job ${jobId} is over (now ${job.attempt})`,
        );
      const assigned = job.status === 'Assigned' && job.prover.toLowerCase() === reader;
      if (!assigned || (read.attempt !== undefined && read.attempt !== job.attempt))
        throw new GavelError(
          'NOT_ASSIGNED',
          `${reader} is neither the requester nor the prover the chain assigned job ${jobId} to`,
        );
    }
    // Only for a reader entitled to them: a public job's inputs may be pulled now.
    if (!this.jobs.has(jobId)) await this.pullOnMiss?.(jobId);
    const mirrored = this.jobs.get(jobId);
    if (!mirrored) throw notMirrored(jobId);
    if (mirrored.pruned)
      throw new GavelError('NOT_MIRRORED', `the inputs of job ${jobId} were deleted: the job ended on-chain`);
    this.metrics.inputsServed.inc({ reader: requester ? 'requester' : 'prover' });
    const { items } = JSON.parse(readFileSync(join(this.inputsDir, `${mirrored.inputsHash}.json`), 'utf8'));
    return { jobId, inputsHash: mirrored.inputsHash, items };
  }

  private async liveJob(jobId: string) {
    const job = await this.chain.job(jobId);
    if (job.status === 'None')
      throw new GavelError('ESCROW_NOT_FOUND', `job ${jobId} has no escrow on-chain: open it first`);
    if (!LIVE.has(job.status))
      throw new GavelError(
        'JOB_OVER',
        `job ${jobId} is ${job.status} on-chain: its inputs are no longer needed`,
      );
    return job;
  }

  /** Keeps a prover's signed report that a party did not serve the committed inputs, when the
   *  chain assigned that attempt to that prover. */
  async fileFault(body: Uint8Array): Promise<SignedInputsFault> {
    let fault: SignedInputsFault;
    try {
      fault = parseInputsFault(body);
    } catch (err) {
      throw new GavelError('BAD_FAULT', `malformed fault report: ${(err as Error).message}`);
    }
    if (inputsFaultSigner(this.domain, fault) !== fault.prover)
      throw new GavelError('BAD_SIGNATURE', 'the fault report is not signed by the prover it names');
    if (!(await this.wasAssigned(fault.jobId, fault.attempt, fault.prover)))
      throw new GavelError(
        'NOT_ASSIGNED',
        `the chain never assigned attempt ${fault.attempt} of job ${fault.jobId} to ${fault.prover}`,
      );
    const key = faultKey(fault);
    if (!this.faults.has(key)) {
      this.faults.set(key, fault);
      appendFileSync(join(this.dir, 'inputs-faults.jsonl'), `${JSON.stringify(fault)}\n`);
      const kind = fault.kind === FAULT_KIND.missing ? 'missing' : 'mismatched';
      this.metrics.inputsFaults.inc({ kind });
      this.log.warn(
        { jobId: fault.jobId, attempt: fault.attempt, party: fault.party, source: fault.source, kind },
        `ALERT: ${fault.party} did not serve the committed inputs (${kind}), reported by the assigned prover`,
      );
    }
    return fault;
  }

  private async wasAssigned(jobId: string, attempt: number, prover: string): Promise<boolean> {
    const market = this.chain.market;
    const head = await this.chain.market.runner?.provider?.getBlockNumber();
    const events = await readInChunks(this.chain.deployment.blockNumber, head ?? -1, (from, to) =>
      market.queryFilter(market.filters.JobAssigned?.(jobId, prover) ?? 'JobAssigned', from, to),
    );
    return events.some((e) => {
      const parsed = market.interface.parseLog(e);
      return (
        parsed !== null &&
        String(parsed.args.jobId).toLowerCase() === jobId &&
        String(parsed.args.prover).toLowerCase() === prover &&
        Number(parsed.args.attempt) === attempt
      );
    });
  }

  faultsOf(jobId?: string): SignedInputsFault[] {
    const all = [...this.faults.values()];
    return jobId ? all.filter((f) => f.jobId === jobId.toLowerCase()) : all;
  }

  /** How to get a job's inputs this mirror was asked for and does not hold (see pullOnMiss). */
  pullWith(pull: (jobId: string) => Promise<void>): void {
    this.pullOnMiss = pull;
  }

  holds(jobId: string): boolean {
    return this.jobs.has(jobId.toLowerCase());
  }

  /** The availability verdict of a job: failed when its assigned prover reported a party that did
   *  not serve the committed inputs, passed when this mirror holds them, else not checked. */
  verdictOf(jobId: string): Verdict {
    if (this.faultsOf(jobId).length > 0) return VERDICT.failed;
    return this.holds(jobId) ? VERDICT.passed : VERDICT.notChecked;
  }
}

function notMirrored(jobId: string): GavelError {
  return new GavelError('NOT_MIRRORED', `this watchtower holds no inputs of job ${jobId}`);
}

function faultKey(f: SignedInputsFault): string {
  return `${f.jobId}:${f.attempt}:${f.party}:${f.source}`;
}

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
