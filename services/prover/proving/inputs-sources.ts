// Where an awarded prover gets its inputs: from the coordinator first, then — when the coordinator
// does not serve inputs hashing to the on-chain commitment — from the watchtower mirrors that
// attested they hold them (named in the award) and the prover's own watchtowers, once the chain has
// assigned the attempt (mirrors serve only the prover the chain assigned). Every party that should
// have served them and did not (the coordinator; an attesting mirror) is reported, signed, to the
// watchtowers. With no source left the award fails as INPUTS_UNAVAILABLE and is handed back: the
// prover is never slashed for inputs it could not get.
import { type Signer, type TypedDataDomain, ZeroHash } from 'ethers';
import type { Logger } from 'pino';
import { GavelError } from '../../shared/errors.js';
import { FAULT_KIND, type InputsFault, signInputsFault } from '../../shared/protocol/inputs-availability.js';
import type { Award } from '../../shared/protocol/messages.js';
import { fileWithWatchtowers } from '../watchtower-filing.js';
import { fetchInputs } from './fetch-work.js';

/** Answers that are not a party's fault: the attempt is over, or the prover is stopping. */
const NOT_A_FAULT = new Set(['ATTEMPT_OVER', 'STOPPING']);

interface Source {
  url: string;
  /** Who should serve there: the awarding coordinator or an attesting watchtower (undefined for
   *  a watchtower of the prover's own that never attested: its failing is nobody's fault). */
  party: string | undefined;
}

export class InputsSources {
  /** Jobs whose committed inputs no source served: the bidder does not bid on them again (the
   *  same coordinator would award them again and again, each a hand-back on-chain). */
  readonly unavailable = new Set<string>();

  constructor(
    private readonly reader: Signer,
    private readonly domain: TypedDataDomain,
    /** The prover's own watchtowers (no trailing slash, as config and award parsing leave mirror
     *  URLs): asked last, and told of every fault. */
    private readonly watchtowers: string[],
    private readonly awaitAssignment: (award: Award) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** The inputs of `award` hashing to `committed`, from the first source that serves them. */
  async fetch(award: Award, coordinator: string, committed: string): Promise<unknown[]> {
    const faults: InputsFault[] = [];
    try {
      return await this.tryAt({ url: award.coordinatorUrl, party: coordinator }, award, committed, faults);
    } catch (err) {
      if (err instanceof GavelError && NOT_A_FAULT.has(err.code)) throw err;
    }
    const mirrors = this.mirrorsOf(award);
    if (mirrors.length === 0) return this.noSource(award, faults, 'no watchtower mirror to ask');
    // A mirror serves only the prover the chain assigned: wait for the assignment first.
    await this.awaitAssignment(award);
    for (const mirror of mirrors) {
      try {
        const items = await this.tryAt(mirror, award, committed, faults);
        this.log.warn({ jobId: award.jobId, mirror: mirror.url }, 'inputs fetched from a watchtower mirror');
        this.report(award, faults);
        return items;
      } catch {
        // tryAt noted it; ask the next mirror.
      }
    }
    return this.noSource(award, faults, `${mirrors.length} mirror(s) asked`);
  }

  /** The award's attesting mirrors, then the prover's own watchtowers (each URL once). */
  private mirrorsOf(award: Award): Source[] {
    const sources: Source[] = award.mirrors.map((m) => ({ url: m.url, party: m.watchtower }));
    for (const url of this.watchtowers)
      if (!sources.some((s) => s.url === url)) sources.push({ url, party: undefined });
    return sources;
  }

  /** Fetches at `source`; a failure is noted in `faults` against its party and rethrown. */
  private async tryAt(source: Source, award: Award, committed: string, faults: InputsFault[]) {
    try {
      return await fetchInputs(source.url, award.jobId, committed, this.reader, award.attempt);
    } catch (err) {
      const mismatched = err instanceof GavelError && err.code === 'CONTENT_MISMATCH';
      this.log.warn(
        { jobId: award.jobId, source: source.url, err: err },
        mismatched ? 'inputs served do not match the on-chain commitment' : 'inputs not served',
      );
      if (source.party && !(err instanceof GavelError && NOT_A_FAULT.has(err.code)))
        faults.push({
          jobId: award.jobId,
          attempt: award.attempt,
          party: source.party,
          source: source.url,
          kind: mismatched ? FAULT_KIND.mismatched : FAULT_KIND.missing,
          servedHash: mismatched ? String((err as GavelError).details?.servedHash ?? ZeroHash) : ZeroHash,
          at: Math.floor(Date.now() / 1000),
        });
      throw err;
    }
  }

  private noSource(award: Award, faults: InputsFault[], tried: string): never {
    this.report(award, faults);
    this.unavailable.add(award.jobId.toLowerCase());
    throw new GavelError(
      'INPUTS_UNAVAILABLE',
      `no source served the committed inputs of job ${award.jobId} (${tried}); ` +
        `reported: ${faults.map((f) => f.party).join(', ') || 'nobody'}`,
    );
  }

  /** Files each fault, signed, with the prover's watchtowers and the award's mirrors (in the
   *  background: reporting never delays proving). */
  private report(award: Award, faults: InputsFault[]): void {
    const to = new Set([...this.watchtowers, ...award.mirrors.map((m) => m.url)]);
    for (const fault of faults)
      void signInputsFault(this.reader, this.domain, fault).then((signed) =>
        fileWithWatchtowers(
          to,
          '/v1/inputs-faults',
          JSON.stringify(signed),
          { name: 'fault report', jobId: award.jobId },
          this.log,
        ),
      );
  }
}
