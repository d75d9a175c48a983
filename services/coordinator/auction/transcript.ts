// An attempt's auction transcript: every bid accepted for it (a receipt was signed for each) with
// its standing. Built when a round is awarded — its root is committed on-chain by the assignment —
// and revealed to anyone over the API, so outside clients recompute the winner and price.
import { getAddress, type TypedDataDomain } from 'ethers';
import type { PrismaClient } from '../../shared/db/client.js';
import {
  buildTranscript,
  isStanding,
  STANDING,
  STANDING_WHY,
  type Standing,
  type TranscriptEntry,
} from '../../shared/protocol/auction-transcript.js';
import { type BidTerms, bidDigest } from '../../shared/protocol/bid-signing.js';
import type { Tx } from '../context.js';

type BidRow = Awaited<ReturnType<Tx['bid']['findMany']>>[number];

function termsOf(jobId: string, attempt: number, b: BidRow): BidTerms {
  return {
    jobId,
    attempt,
    price: BigInt(b.priceWei),
    prover: getAddress(b.prover),
    expiry: b.expiry,
    nonce: BigInt(b.nonce),
    deliverySeconds: b.deliverySeconds,
  };
}

async function attemptBids(db: Tx | PrismaClient, jobId: string, attempt: number) {
  const rounds = await db.auction.findMany({
    where: { jobId, attempt },
    include: { bids: { orderBy: { id: 'asc' } } },
    orderBy: { round: 'asc' },
  });
  return rounds.flatMap((r) => r.bids.map((b) => ({ round: r, bid: b })));
}

/** Every accepted bid of the attempt as a transcript entry: bids of `awardedRound` with their
 *  stored standing, bids of earlier rounds marked so. */
function entriesOf(
  domain: TypedDataDomain,
  jobId: string,
  attempt: number,
  awardedRound: number,
  bids: Awaited<ReturnType<typeof attemptBids>>,
) {
  return bids.map(({ round, bid }) => {
    const terms = termsOf(jobId, attempt, bid);
    const standing: Standing =
      round.id !== awardedRound ? STANDING.earlierRound : isStanding(bid.standing) ? bid.standing : 0;
    const entry: TranscriptEntry = {
      bidDigest: bidDigest(domain, terms),
      prover: terms.prover,
      price: terms.price,
      standing,
    };
    return { entry, terms, signature: bid.signature, receivedAt: bid.receivedAt };
  });
}

/**
 * Records why the bids of round `roundId` that could not win could not (`standings`, by prover),
 * and the root of the attempt's transcript on the round; returns the root. In the close's
 * transaction, so the root covers exactly the bids the close saw (bids share-lock the round).
 */
export async function commitTranscript(
  tx: Tx,
  domain: TypedDataDomain,
  round: { id: number; jobId: string; attempt: number },
  standings: Map<string, Standing>,
): Promise<string> {
  for (const [prover, standing] of standings)
    await tx.bid.updateMany({ where: { auctionId: round.id, prover }, data: { standing } });
  const bids = await attemptBids(tx, round.jobId, round.attempt);
  const { root } = buildTranscript(
    entriesOf(domain, round.jobId, round.attempt, round.id, bids).map((e) => e.entry),
  );
  await tx.auction.update({ where: { id: round.id }, data: { transcriptRoot: root } });
  return root;
}

/** An attempt's transcript as revealed to anyone: each bid's signed terms, digest, standing (with
 *  why) and Merkle proof, and the root. Undefined until the attempt is awarded. */
export async function revealTranscript(
  prisma: PrismaClient,
  domain: TypedDataDomain,
  jobId: string,
  attempt: number,
) {
  const bids = await attemptBids(prisma, jobId, attempt);
  const awarded = bids.find((b) => b.round.transcriptRoot)?.round;
  if (!awarded) return undefined;
  const entries = entriesOf(domain, jobId, attempt, awarded.id, bids);
  const tree = buildTranscript(entries.map((e) => e.entry));
  return {
    jobId,
    attempt,
    root: tree.root,
    committedRoot: awarded.transcriptRoot,
    rule: awarded.rule,
    winner: awarded.winner,
    priceWei: awarded.clearingPriceWei,
    entries: entries.map(({ entry, terms, signature, receivedAt }) => ({
      bid: {
        ...terms,
        price: terms.price.toString(),
        nonce: terms.nonce.toString(),
      },
      signature,
      bidDigest: entry.bidDigest,
      standing: entry.standing,
      why: STANDING_WHY[entry.standing],
      receivedAt: receivedAt.toISOString(),
      proof: tree.proof(entry.bidDigest) ?? [],
    })),
  };
}
