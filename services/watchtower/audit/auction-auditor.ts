// Audits every auction. For each assignment (the Market's TranscriptCommitted event) it fetches
// the coordinator's revealed transcript and checks it: the root rebuilt from the entries is the
// root committed on-chain, every bid is signed by its prover, and the rule (lowest price wins;
// second price pays the runner-up) applied to the entries that could win gives the winner and
// price the chain recorded. Receipts provers handed in for the attempt must all be in it.
// Evidence the chain can check is sent on-chain at once: an eligible bid below the price charged
// (proveBetterBid) and a receipt whose bid is missing (a challenge, slashed when unanswered).

import { formatEther, getAddress, type TypedDataDomain } from 'ethers';
import type { Logger } from 'pino';
import type { AuctionAudit, Committed } from '../../shared/chain/auction-audit.js';
import type { ChainTime } from '../../shared/chain/chain-clock.js';
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import { ContractRevertError } from '../../shared/chain/contract-errors.js';
import type { GavelContracts, SignedBid } from '../../shared/chain/gavel-contracts.js';
import {
  buildTranscript,
  expectedOutcome,
  STANDING,
  type TranscriptEntry,
} from '../../shared/protocol/auction-transcript.js';
import type { WatchtowerMetrics } from '../metrics.js';
import { checkTranscript, type RevealedTranscript } from './revealed-transcript.js';

export interface AuctionVerdict {
  jobId: string;
  attempt: number;
  /** ok: every check passed; violation: a check failed (see problems); pending: not revealed yet. */
  verdict: 'ok' | 'violation' | 'pending';
  problems: string[];
  committed: { root: string; coordinator: string; winner: string; priceWei: string };
  entries: number;
  /** Standings the chain makes doubtful — not evidence, so no verdict turns on them: a bid below
   *  the price charged marked "free stake below the collateral" whose prover had enough free stake
   *  just before the assignment (its stake may have changed after the round closed). */
  doubts: string[];
  /** On-chain evidence this watchtower sent: proveBetterBid, challenge, slashUnanswered. */
  evidence: { kind: string; txHash: string }[];
  checkedAt: string;
}

export interface HeldReceipt {
  bid: SignedBid;
  bidDigest: string;
  signature: string;
  coordinator: string;
}

interface Pending {
  committed: Committed;
  jobId: string;
  attempt: number;
  since: number;
  /** The block of the assignment that committed the transcript. */
  block: number;
}

const key = (jobId: string, attempt: number) => `${jobId.toLowerCase()}:${attempt}`;

export interface AuditorOptions {
  chain: GavelContracts;
  audit: AuctionAudit;
  bidDomain: TypedDataDomain;
  coordinatorUrl: string;
  metrics: WatchtowerMetrics;
  log: Logger;
  /** Challenge answer windows are chain time. */
  chainTime: Pick<ChainTime, 'hasPassed'>;
  /** How long a coordinator may take to reveal a transcript before the audit says it withheld it. */
  revealGraceMs?: number;
}

export class AuctionAuditor {
  private nextBlock: number;
  private readonly verdicts = new Map<string, AuctionVerdict>();
  private readonly pending = new Map<string, Pending>();
  private readonly receipts = new Map<string, HeldReceipt[]>();
  /** Bid digests present in each audited attempt's transcript. */
  private readonly digests = new Map<string, Set<string>>();
  /** Challenges this watchtower opened, by bid digest: when they may be slashed. */
  private readonly challenges = new Map<string, { answerBy: number; key: string }>();
  bondsEarnedWei = 0n;

  private readonly chain: GavelContracts;
  private readonly audit: AuctionAudit;
  private readonly bidDomain: TypedDataDomain;
  private readonly coordinatorUrl: string;
  private readonly metrics: WatchtowerMetrics;
  private readonly log: Logger;
  private readonly chainTime: Pick<ChainTime, 'hasPassed'>;
  private readonly revealGraceMs: number;

  constructor(options: AuditorOptions) {
    this.chain = options.chain;
    this.audit = options.audit;
    this.bidDomain = options.bidDomain;
    this.coordinatorUrl = options.coordinatorUrl;
    this.metrics = options.metrics;
    this.log = options.log;
    this.chainTime = options.chainTime;
    this.revealGraceMs = options.revealGraceMs ?? 30_000;
    this.nextBlock = this.chain.deployment.blockNumber;
  }

  list(): AuctionVerdict[] {
    return [...this.verdicts.values()];
  }

  verdictOf(jobId: string, attempt?: number): AuctionVerdict | undefined {
    if (attempt !== undefined) return this.verdicts.get(key(jobId, attempt));
    return this.list()
      .filter((v) => v.jobId.toLowerCase() === jobId.toLowerCase())
      .sort((a, b) => b.attempt - a.attempt)[0];
  }

  /** New assignments audited, revelations waited for, unanswered challenges slashed. */
  async tick(): Promise<void> {
    const provider = this.chain.market.runner?.provider;
    if (!provider) throw new Error('the watchtower needs a chain provider');
    const latest = await provider.getBlockNumber();
    if (latest >= this.nextBlock) {
      const logs = await readInChunks(this.nextBlock, latest, (from, to) =>
        this.chain.market.queryFilter('TranscriptCommitted', from, to),
      );
      for (const log of logs) {
        const e = this.chain.market.interface.parseLog(log);
        if (!e) continue;
        const jobId = String(e.args.jobId).toLowerCase();
        const attempt = Number(e.args.attempt);
        const committed: Committed = {
          root: e.args.root,
          coordinator: e.args.coordinator,
          winner: e.args.winner,
          price: e.args.price,
        };
        const pending = { committed, jobId, attempt, since: Date.now(), block: log.blockNumber };
        this.pending.set(key(jobId, attempt), pending);
      }
      this.nextBlock = latest + 1;
    }
    for (const p of [...this.pending.values()]) await this.auditAttempt(p);
    await this.slashUnanswered();
  }

  /** Whether this receipt (its bid's digest, for its attempt) is held already. */
  holds(r: HeldReceipt): boolean {
    const held = this.receipts.get(key(r.bid.bid.jobId, r.bid.bid.attempt)) ?? [];
    return held.some((h) => h.bidDigest.toLowerCase() === r.bidDigest.toLowerCase());
  }

  /** A receipt a prover handed in: kept, and checked at once when its attempt is audited already.
   *  False when it was held already (nothing new is kept). */
  async holdReceipt(r: HeldReceipt): Promise<boolean> {
    const k = key(r.bid.bid.jobId, r.bid.bid.attempt);
    const held = this.receipts.get(k) ?? [];
    if (this.holds(r)) return false;
    held.push(r);
    this.receipts.set(k, held);
    this.metrics.receipts.inc();
    const present = this.digests.get(k);
    const verdict = this.verdicts.get(k);
    if (present && verdict) await this.checkReceipts(k, present, verdict);
    return true;
  }

  private async reveal(jobId: string, attempt: number): Promise<RevealedTranscript | undefined> {
    if (!this.coordinatorUrl) return undefined;
    try {
      const res = await fetch(`${this.coordinatorUrl}/v1/jobs/${jobId}/transcript?attempt=${attempt}`, {
        signal: AbortSignal.timeout(10_000),
      });
      return res.ok ? ((await res.json()) as RevealedTranscript) : undefined;
    } catch {
      return undefined;
    }
  }

  private async auditAttempt(p: Pending): Promise<void> {
    const k = key(p.jobId, p.attempt);
    const base: AuctionVerdict = {
      jobId: p.jobId,
      attempt: p.attempt,
      verdict: 'pending',
      problems: [],
      committed: {
        root: p.committed.root,
        coordinator: p.committed.coordinator,
        winner: p.committed.winner,
        priceWei: p.committed.price.toString(),
      },
      entries: 0,
      doubts: [],
      evidence: [],
      checkedAt: new Date().toISOString(),
    };
    const revealed = await this.reveal(p.jobId, p.attempt);
    if (!revealed) {
      if (Date.now() - p.since < this.revealGraceMs) {
        this.verdicts.set(k, base);
        return;
      }
      this.pending.delete(k);
      const withheld = { ...base, problems: ['the coordinator did not reveal the transcript it committed'] };
      this.conclude(k, withheld);
      // Every receipt held for the attempt is challenged: only the transcript answers them.
      this.digests.set(k, new Set());
      await this.checkReceipts(k, new Set(), withheld);
      return;
    }
    this.pending.delete(k);
    const checked = checkTranscript(this.bidDomain, p.jobId, p.attempt, revealed);
    const verdict: AuctionVerdict = {
      ...base,
      entries: checked.entries.length,
      problems: [...checked.problems],
    };
    this.verdicts.set(k, verdict); // pending until concluded below; readable while evidence is sent
    if (checked.entries.length === 0) verdict.problems.push('the revealed transcript has no valid entry');
    else if (buildTranscript(checked.entries).root !== p.committed.root)
      verdict.problems.push('the revealed transcript is not the one committed on-chain (roots differ)');
    else await this.checkOutcome(p, checked, verdict);
    const present = new Set(checked.entries.map((e) => e.bidDigest.toLowerCase()));
    this.digests.set(k, present);
    this.conclude(k, verdict);
    await this.checkReceipts(k, present, verdict);
  }

  /** The rule applied to the entries that could win must give the chain's winner and price. */
  private async checkOutcome(
    p: Pending,
    checked: ReturnType<typeof checkTranscript>,
    verdict: AuctionVerdict,
  ) {
    const job = await this.chain.job(p.jobId);
    const expected = expectedOutcome(checked.entries, job.rule, job.reserve);
    const winner = p.committed.winner.toLowerCase();
    if (!checked.entries.some((e) => e.prover.toLowerCase() === winner && e.standing === 0))
      verdict.problems.push(`the winner ${p.committed.winner} is not an eligible bidder in the transcript`);
    if (!expected) return;
    if (!expected.provers.includes(winner))
      verdict.problems.push(
        `the lowest eligible bid (${formatEther(expected.lowest)} ETH) was not the winner's`,
      );
    if (expected.price !== p.committed.price)
      verdict.problems.push(
        `the rule gives ${formatEther(expected.price)} ETH, the job was assigned at ${formatEther(p.committed.price)} ETH`,
      );
    verdict.doubts.push(...(await this.doubtfulStandings(p, checked.entries, job.collateral)));
    const better = checked.entries.find(
      (e) => e.standing === 0 && e.prover.toLowerCase() !== winner && e.price < p.committed.price,
    );
    if (!better) return;
    await this.sendEvidence(verdict, 'proveBetterBid', () =>
      this.audit.proveBetterBid(
        p.jobId,
        p.attempt,
        p.committed,
        better,
        checked.proofs.get(better.bidDigest.toLowerCase()) ?? [],
      ),
    );
  }

  /** Bids below the price charged, marked short of free stake by provers that had enough free
   *  stake at the block before the assignment. */
  private async doubtfulStandings(
    p: Pending,
    entries: TranscriptEntry[],
    collateral: bigint,
  ): Promise<string[]> {
    const doubts: string[] = [];
    const blockTag = Math.max(0, p.block - 1);
    for (const e of entries) {
      if (e.standing !== STANDING.stakeBelowCollateral || e.price >= p.committed.price) continue;
      const free = (await this.chain.staking.getFunction('freeStake')(e.prover, { blockTag })) as bigint;
      if (free >= collateral)
        doubts.push(
          `${e.prover} bid ${formatEther(e.price)} ETH and was marked "free stake below the collateral", ` +
            `but had ${formatEther(free)} ETH free (collateral ${formatEther(collateral)}) at block ${blockTag}`,
        );
    }
    return doubts;
  }

  private async checkReceipts(k: string, present: Set<string>, verdict: AuctionVerdict) {
    for (const r of this.receipts.get(k) ?? []) {
      const digest = r.bidDigest.toLowerCase();
      if (present.has(digest) || this.challenges.has(digest)) continue;
      verdict.problems.push(`a bid ${r.bid.bid.prover} holds a receipt for is missing from the transcript`);
      verdict.verdict = 'violation';
      const sent = await this.sendEvidence(verdict, 'challenge', () =>
        this.audit.challenge(r.bid, r.signature),
      );
      const challenge = sent ? await this.audit.challengeOf(r.bidDigest) : undefined;
      if (challenge) this.challenges.set(digest, { answerBy: challenge.answerBy, key: k });
    }
  }

  /** Challenges this watchtower opened and nobody answered in time: the coordinator's bond. */
  private async slashUnanswered(): Promise<void> {
    for (const [digest, c] of [...this.challenges]) {
      if (!this.chainTime.hasPassed(c.answerBy)) continue;
      const state = await this.audit.challengeOf(digest);
      if (state && !state.open) {
        this.challenges.delete(digest);
        continue;
      }
      const verdict = this.verdicts.get(c.key);
      if (!verdict) continue;
      const sent = await this.sendEvidence(verdict, 'slashUnanswered', () =>
        this.audit.slashUnanswered(digest),
      );
      if (sent) this.challenges.delete(digest);
    }
  }

  /** Sends one piece of evidence; a revert saying somebody was first (or the clock is not there
   *  yet) is not an error. Returns whether this watchtower's transaction landed. */
  private async sendEvidence(
    verdict: AuctionVerdict,
    kind: string,
    send: () => Promise<{
      hash: string;
      logs: readonly { address: string; topics: readonly string[]; data: string }[];
    }>,
  ): Promise<boolean> {
    try {
      const receipt = await send();
      verdict.evidence.push({ kind, txHash: receipt.hash });
      for (const e of this.audit.events(receipt.logs))
        if (e.name === 'CoordinatorSlashed') {
          this.bondsEarnedWei += e.args.slashed as bigint;
          this.metrics.bondsEth.inc(Number(formatEther(e.args.slashed as bigint)));
        }
      this.metrics.evidence.inc({ kind, outcome: 'sent' });
      this.log.warn(
        { jobId: verdict.jobId, attempt: verdict.attempt, kind, tx: receipt.hash },
        'evidence sent on-chain',
      );
      return true;
    } catch (err) {
      const taken =
        err instanceof ContractRevertError &&
        ['AlreadyProven', 'ChallengeExists', 'NoOpenChallenge', 'AnswerWindowOpen'].includes(err.errorName);
      this.metrics.evidence.inc({ kind, outcome: taken ? 'taken' : 'failed' });
      if (!taken) this.log.error({ jobId: verdict.jobId, kind, err: err }, 'evidence refused on-chain');
      return false;
    }
  }

  private conclude(k: string, verdict: AuctionVerdict) {
    verdict.verdict = verdict.problems.length === 0 ? 'ok' : 'violation';
    verdict.checkedAt = new Date().toISOString();
    this.verdicts.set(k, verdict);
    this.metrics.audits.inc({ verdict: verdict.verdict });
    if (verdict.doubts.length > 0)
      this.log.warn(
        { jobId: verdict.jobId, attempt: verdict.attempt, doubts: verdict.doubts },
        'standings the chain makes doubtful (not evidence)',
      );
    if (verdict.verdict === 'violation')
      this.log.error(
        {
          jobId: verdict.jobId,
          attempt: verdict.attempt,
          coordinator: getAddress(verdict.committed.coordinator),
          problems: verdict.problems,
        },
        'ALERT: the auction broke its rules',
      );
  }
}
