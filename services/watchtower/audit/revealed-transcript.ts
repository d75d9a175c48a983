// A transcript as a coordinator reveals it (GET /v1/jobs/:id/transcript), checked entry by entry:
// each bid's digest is the digest of its terms and its signature recovers to its prover. What
// survives is a list of transcript entries the watchtower trusts as much as the signatures do.
import type { TypedDataDomain } from 'ethers';
import { isStanding, type TranscriptEntry } from '../../shared/protocol/auction-transcript.js';
import { type BidTerms, bidDigest, bidTermsOf, recoverBidSigner } from '../../shared/protocol/bid-signing.js';
import type { BidBody } from '../../shared/protocol/messages.js';

export interface RevealedEntry {
  bid: BidBody;
  signature: string;
  bidDigest: string;
  standing: number;
  proof: string[];
}

export interface RevealedTranscript {
  jobId: string;
  attempt: number;
  entries: RevealedEntry[];
}

export interface CheckedTranscript {
  entries: TranscriptEntry[];
  proofs: Map<string, string[]>;
  problems: string[];
}

/** Checks every entry of `t` for job `jobId` attempt `attempt`; entries that fail are left out and
 *  named in `problems`. */
export function checkTranscript(
  domain: TypedDataDomain,
  jobId: string,
  attempt: number,
  t: RevealedTranscript,
): CheckedTranscript {
  const problems: string[] = [];
  const entries: TranscriptEntry[] = [];
  const proofs = new Map<string, string[]>();
  for (const [i, e] of (t.entries ?? []).entries()) {
    let terms: BidTerms;
    try {
      terms = bidTermsOf(e.bid);
    } catch {
      problems.push(`entry ${i}: malformed bid terms`);
      continue;
    }
    if (terms.jobId.toLowerCase() !== jobId.toLowerCase() || terms.attempt !== attempt) {
      problems.push(`entry ${i}: a bid for another job or attempt`);
      continue;
    }
    const digest = bidDigest(domain, terms);
    if (digest.toLowerCase() !== String(e.bidDigest).toLowerCase()) {
      problems.push(`entry ${i}: its digest is not the digest of its terms`);
      continue;
    }
    if (recoverBidSigner(domain, terms, e.signature)?.toLowerCase() !== terms.prover.toLowerCase()) {
      problems.push(`entry ${i}: the bid's signature does not recover to its prover ${terms.prover}`);
      continue;
    }
    if (!isStanding(e.standing)) {
      problems.push(`entry ${i}: unknown standing ${e.standing}`);
      continue;
    }
    entries.push({ bidDigest: digest, prover: terms.prover, price: terms.price, standing: e.standing });
    proofs.set(digest.toLowerCase(), Array.isArray(e.proof) ? e.proof : []);
  }
  return { entries, proofs, problems };
}
