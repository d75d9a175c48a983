// Proof of diligence: for each settled job the watchtower signs an attestation of what it checked —
// the auction's verdict (auction-auditor.ts), the proofs re-verified with bb from the fulfilment
// calldata (proof-recheck.ts), and the inputs' availability (inputs-mirror.ts: failed when the
// assigned prover reported a party that did not serve them, passed when this mirror holds them) —
// and the hash of what it checked. Attestations are kept in a JSON-lines file and served over HTTP.

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Signer, TypedDataDomain } from 'ethers';
import type { Logger } from 'pino';
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { CoordinatorClient } from '../../shared/client/coordinator-client.js';
import {
  checkedHash,
  type SignedAttestation,
  signAttestation,
  VERDICT,
  type Verdict,
} from '../../shared/protocol/attestation.js';
import type { ProofSystem, ProvingBackend } from '../../shared/proving/backend.js';
import type { AuctionAuditor } from '../audit/auction-auditor.js';
import type { WatchtowerMetrics } from '../metrics.js';
import type { InputsMirror } from '../mirror/inputs-mirror.js';
import { recheckProofs } from './proof-recheck.js';

/** How long a settled job waits for its auction's audit before it is attested without it. */
const AUDIT_WAIT_MS = 60_000;

interface Settled {
  jobId: string;
  attempt: number;
  since: number;
}

export interface DiligenceOptions {
  chain: GavelContracts;
  signer: Signer;
  domain: TypedDataDomain;
  coordinatorUrl: string;
  backend: (system: ProofSystem) => Promise<ProvingBackend>;
  checks: { auditor: AuctionAuditor; mirror: InputsMirror };
  file: string;
  metrics: WatchtowerMetrics;
  log: Logger;
}

export class Diligence {
  private nextBlock: number;
  private readonly attestations = new Map<string, SignedAttestation>();
  private readonly waiting = new Map<string, Settled>();

  private readonly chain: GavelContracts;
  private readonly signer: Signer;
  private readonly domain: TypedDataDomain;
  private readonly coordinatorUrl: string;
  private readonly backend: (system: ProofSystem) => Promise<ProvingBackend>;
  private readonly checks: { auditor: AuctionAuditor; mirror: InputsMirror };
  private readonly file: string;
  private readonly metrics: WatchtowerMetrics;
  private readonly log: Logger;

  constructor(options: DiligenceOptions) {
    this.chain = options.chain;
    this.signer = options.signer;
    this.domain = options.domain;
    this.coordinatorUrl = options.coordinatorUrl;
    this.backend = options.backend;
    this.checks = options.checks;
    this.file = options.file;
    this.metrics = options.metrics;
    this.log = options.log;
    this.nextBlock = this.chain.deployment.blockNumber;
    if (existsSync(this.file))
      for (const line of readFileSync(this.file, 'utf8').split('\n').filter(Boolean)) {
        const a = JSON.parse(line) as SignedAttestation;
        this.attestations.set(`${a.jobId}:${a.attempt}`, a);
      }
  }

  list(): SignedAttestation[] {
    return [...this.attestations.values()];
  }

  of(jobId: string): SignedAttestation[] {
    return this.list().filter((a) => a.jobId === jobId.toLowerCase());
  }

  /** Reads new JobSettled events and attests every settled job whose checks are done. */
  async tick(): Promise<void> {
    const provider = this.chain.market.runner?.provider;
    if (!provider) throw new Error('the watchtower needs a chain provider');
    const latest = await provider.getBlockNumber();
    if (latest >= this.nextBlock) {
      const settled = await readInChunks(this.nextBlock, latest, (from, to) =>
        this.chain.market.queryFilter('JobSettled', from, to),
      );
      for (const log of settled) {
        const e = this.chain.market.interface.parseLog(log);
        if (!e) continue;
        const jobId = String(e.args.jobId).toLowerCase();
        const { attempt } = await this.chain.job(jobId);
        const key = `${jobId}:${attempt}`;
        if (!this.attestations.has(key)) this.waiting.set(key, { jobId, attempt, since: Date.now() });
      }
      this.nextBlock = latest + 1;
    }
    for (const [key, s] of [...this.waiting]) {
      const audit = this.checks.auditor.verdictOf(s.jobId, s.attempt);
      if ((!audit || audit.verdict === 'pending') && Date.now() - s.since < AUDIT_WAIT_MS) continue;
      try {
        await this.attest(s, audit);
        this.waiting.delete(key);
      } catch (err) {
        this.log.warn({ jobId: s.jobId, err: err }, 'attestation failed; trying again');
      }
    }
  }

  private async proofs(s: Settled): Promise<{ verdict: Verdict; calldata: string[]; invalid: number[] }> {
    if (!this.coordinatorUrl) return { verdict: VERDICT.notChecked, calldata: [], invalid: [] };
    const client = new CoordinatorClient(this.coordinatorUrl);
    const circuit = await client.circuit((await client.job(s.jobId)).circuitId);
    // UltraHonk proofs are re-verified with bb, PLONK proofs with snarkjs (when it is installed).
    const system: ProofSystem = circuit.proofSystem === 'plonk' ? 'plonk' : 'ultrahonk';
    const vk = new Uint8Array(Buffer.from(String(circuit.vk), 'base64'));
    const recheck = await recheckProofs(this.chain, await this.backend(system), vk, s.jobId, s.attempt);
    const verdict = recheck.invalid.length
      ? VERDICT.failed
      : recheck.items === 0 || recheck.unchecked > 0
        ? VERDICT.notChecked
        : VERDICT.passed;
    return { verdict, calldata: recheck.calldata, invalid: recheck.invalid };
  }

  private async attest(s: Settled, audit: ReturnType<AuctionAuditor['verdictOf']>): Promise<void> {
    let proofs: Awaited<ReturnType<Diligence['proofs']>>;
    try {
      proofs = await this.proofs(s);
    } catch (err) {
      // The VK comes from the coordinator's API: while it cannot be had, try again; past the wait,
      // attest what was checked, with the proofs marked not checked.
      if (Date.now() - s.since < 2 * AUDIT_WAIT_MS) throw err;
      this.log.warn({ jobId: s.jobId, err: err }, 'proofs not re-verified: no VK to check them with');
      proofs = { verdict: VERDICT.notChecked, calldata: [], invalid: [] };
    }
    const auction =
      !audit || audit.verdict === 'pending'
        ? VERDICT.notChecked
        : audit.verdict === 'ok'
          ? VERDICT.passed
          : VERDICT.failed;
    const root = audit?.committed.root ?? `0x${'00'.repeat(32)}`;
    const signed = await signAttestation(this.signer, this.domain, {
      jobId: s.jobId,
      attempt: s.attempt,
      auction,
      availability: this.checks.mirror.verdictOf(s.jobId),
      proofs: proofs.verdict,
      checked: checkedHash(root, proofs.calldata),
      at: Math.floor(Date.now() / 1000),
    });
    this.attestations.set(`${s.jobId}:${s.attempt}`, signed);
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(signed)}\n`);
    this.metrics.attestations.inc({ proofs: String(proofs.verdict), auction: String(auction) });
    if (proofs.verdict === VERDICT.failed)
      this.log.error(
        { jobId: s.jobId, attempt: s.attempt, invalidItems: proofs.invalid },
        'ALERT: the chain paid for proofs bb finds invalid',
      );
    else
      this.log.info(
        { jobId: s.jobId, auction, availability: signed.availability, proofs: proofs.verdict },
        'attested',
      );
  }
}
