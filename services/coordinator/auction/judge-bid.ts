// Where bids are judged: signature, auction state, reserve, expiry, exclusion, on-chain stake and
// declared proof systems and speed; accepted bids are stored (one per prover per auction, nonces never reused).
import type { Signer, TypedDataDomain } from 'ethers';
import type { WallClock } from '../../shared/chain/chain-clock.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { isUniqueViolation, type PrismaClient } from '../../shared/db/client.js';
import { signReceipt } from '../../shared/protocol/auction-transcript.js';
import { bidDigest, recoverBidSigner } from '../../shared/protocol/bid-signing.js';
import { estimateProvingMs } from '../../shared/protocol/estimates.js';
import { type BidReply, type BidRequest, latestDeliverySeconds } from '../../shared/protocol/messages.js';
import { proofSystemOfRow } from '../../shared/proving/backend.js';
import type { CoordinatorConfig } from '../config.js';

export interface JudgeDeps {
  prisma: PrismaClient;
  chain: GavelContracts;
  domain: TypedDataDomain;
  receiptDomain: TypedDataDomain;
  signer: Signer;
  config: CoordinatorConfig;
  /** The wall clock judges the auction window; every deadline is chain time (the round's assignBy). */
  clock: { wall: WallClock };
}

const reject = (code: string, reason: string): BidReply => ({ accepted: false, code, reason });

export async function judgeBid(
  deps: JudgeDeps,
  req: BidRequest,
  now = deps.clock.wall.nowMs(),
): Promise<BidReply> {
  const { bid, signature } = req;
  const { prisma, chain, domain, config } = deps;
  const price = BigInt(bid.price);
  const signer = recoverBidSigner(domain, { ...bid, price, nonce: BigInt(bid.nonce) }, signature);
  if (!signer || signer.toLowerCase() !== bid.prover.toLowerCase()) {
    return reject('BAD_SIGNATURE', 'signature does not recover to the bidding prover');
  }
  const prover = signer.toLowerCase();

  const auction = await prisma.auction.findFirst({
    where: { jobId: bid.jobId, attempt: bid.attempt },
    orderBy: { round: 'desc' },
    include: {
      job: {
        include: {
          circuit: { select: { gates: true, proofSystem: true } },
          _count: { select: { items: true } },
        },
      },
    },
  });
  if (!auction) return reject('UNKNOWN_AUCTION', `no auction for job ${bid.jobId} attempt ${bid.attempt}`);
  const { job } = auction;
  if (auction.status !== 'OPEN' || !auction.announced || auction.closesAt.getTime() <= now) {
    return reject('CLOSED', 'the auction is closed');
  }
  if (price > BigInt(job.reserveWei))
    return reject('ABOVE_RESERVE', `price ${price} is above the reserve ${job.reserveWei}`);
  // A bid must stay valid until its assignment can be mined (chain time, stated in the announcement).
  const { assignBy } = auction;
  if (bid.expiry < assignBy)
    return reject(
      'EXPIRED',
      `the bid must stay valid until ${assignBy} (chain time), when it may be assigned`,
    );
  if (job.excludedProvers.includes(prover)) return reject('EXCLUDED', 'this prover already failed this job');

  const known = await prisma.prover.findUnique({ where: { address: prover } });
  if (!known) return reject('UNKNOWN_PROVER', 'send a signed hello before bidding');
  const system = proofSystemOfRow(job.circuit);
  if (!known.proofSystems.includes(system)) {
    return reject('UNSUPPORTED_PROOF_SYSTEM', `this prover did not declare ${system} in its hello`);
  }
  const speed = system === 'plonk' ? known.plonkGatesPerSec : known.gatesPerSec;
  const provingMs = estimateProvingMs(job.circuit.gates, job._count.items, speed);
  // Proving starts at the close (awards are optimistic): the chain time of the close is assignBy
  // less the assignment margin.
  const finishBy = (assignBy - config.assignMarginSeconds) * 1000 + provingMs + config.settleMarginMs;
  if (finishBy > job.deadline.getTime()) {
    return reject('TOO_SLOW', `declared speed needs ~${provingMs} ms, which misses the deadline`);
  }
  const latest = latestDeliverySeconds({ assignBy, deadline: Math.floor(job.deadline.getTime() / 1000) });
  if (bid.deliverySeconds > latest) {
    return reject(
      'DELIVERY_PAST_DEADLINE',
      `a delivery time of ${bid.deliverySeconds} s ends after the job's deadline: at most ${latest} s fits`,
    );
  }

  const [registered, free] = await Promise.all([
    chain.staking.getFunction('isRegistered')(prover) as Promise<boolean>,
    chain.staking.getFunction('freeStake')(prover) as Promise<bigint>,
  ]);
  if (!registered) return reject('UNREGISTERED', 'the prover is not registered on-chain');
  if (free < BigInt(job.collateralWei)) {
    return reject('LOW_STAKE', `free stake ${free} is below the required collateral ${job.collateralWei}`);
  }

  const stored = await storeBid(prisma, auction.id, prover, req, now);
  if (stored) return stored;
  const digest = bidDigest(domain, { ...bid, price, nonce: BigInt(bid.nonce) });
  const terms = { jobId: bid.jobId, attempt: bid.attempt, bidDigest: digest };
  const receipt = await signReceipt(deps.signer, deps.receiptDomain, terms);
  return {
    accepted: true,
    receipt: { signer: await deps.signer.getAddress(), signature: receipt, bidDigest: digest },
  };
}

/**
 * Stores an accepted bid while its round is still open, or says why not. One statement: the
 * round's row is share-locked while the bid goes in, so a close in progress (it holds the row)
 * makes the bid wait and then find the round closed, and a close starting now skips the round
 * until the bid is in. Every bid given a receipt is in the round its close loads, and in the
 * transcript the coordinator commits. (One statement, not a transaction: a transaction per bid
 * held a connection for several round trips and starved the other loops of the pool.)
 */
async function storeBid(
  prisma: PrismaClient,
  auctionId: number,
  prover: string,
  { bid, signature }: BidRequest,
  now: number,
): Promise<BidReply | undefined> {
  try {
    const inserted = await prisma.$executeRaw`
      INSERT INTO "Bid" ("auctionId", prover, "priceWei", nonce, expiry, "deliverySeconds", signature)
      SELECT a.id, ${prover}, ${BigInt(bid.price).toString()}, ${bid.nonce}, ${bid.expiry}, ${bid.deliverySeconds}, ${signature}
      FROM "Auction" a
      WHERE a.id = ${auctionId} AND a.status = 'OPEN' AND a."closesAt" > ${new Date(now)}
      FOR SHARE OF a`;
    return inserted === 1 ? undefined : reject('CLOSED', 'the auction is closed');
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const again = await prisma.bid.findUnique({ where: { auctionId_prover: { auctionId, prover } } });
    return again
      ? reject('DUPLICATE', 'this prover already bid in this auction')
      : reject('REPLAYED', `nonce ${bid.nonce} was already used by this prover`);
  }
}
