// Bad and hostile input against the coordinator over NATS (bids, results) and racing state
// transitions, each answered with a clear reason and leaving no half-written state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { parseEther } from 'ethers';
import { moveJob } from '../../services/coordinator/lifecycle/job-transitions.js';
import { enqueue } from '../../services/coordinator/lifecycle/outbox-entries.js';
import { offerFor } from '../../services/prover/prover-link.js';
import type { CoordinatorClient } from '../../services/shared/client/coordinator-client.js';
import { receiptDomain, receiptSigner } from '../../services/shared/protocol/auction-transcript.js';
import { bidDigest, bidDomain } from '../../services/shared/protocol/bid-signing.js';
import {
  type Announcement,
  type BidReply,
  type BidRequest,
  latestDeliverySeconds,
  parseAnnouncement,
} from '../../services/shared/protocol/messages.js';
import { ANNOUNCE_SUBJECT, RESULTS_CONSUMER, WORK_STREAM } from '../../services/shared/protocol/subjects.js';
import {
  CAPS,
  insiderLink,
  link,
  setUpBadInput,
  submitGoodJob,
  tearDownBadInput,
  wallet,
} from '../fixtures/bad-input.js';
import type { MarketFixture } from '../fixtures/market.js';
import { waitFor } from '../fixtures/market.js';

let market: MarketFixture;
let client: CoordinatorClient;
let nc: NatsConnection;

before(async () => {
  ({ market, client, nc } = await setUpBadInput());
});
after(tearDownBadInput);

describe('NATS bids', () => {
  let announcement: Announcement;
  let nonce = 1n;

  /** Account `i` bids `price`; `signer` signs in its place (the bid still names account `i`). */
  async function bid(
    i: number,
    price: bigint,
    opts: { nonce?: bigint; signer?: number; attempt?: number; deliverySeconds?: number } = {},
  ) {
    const offer = {
      ...offerFor(announcement, price, opts.deliverySeconds),
      attempt: opts.attempt ?? announcement.attempt,
      nonce: opts.nonce ?? nonce++,
    };
    const req = await insiderLink(opts.signer ?? i).signBid(offer);
    req.bid.prover = wallet(i).address;
    return { req, reply: await send(req) };
  }
  /** Sends `req` from the connection of the prover it names, on that prover's subject. */
  async function send(req: BidRequest): Promise<BidReply> {
    const i = market.chain.wallets.findIndex((w) => w.address.toLowerCase() === req.bid.prover.toLowerCase());
    return (await link(i)).sendBid(req);
  }

  before(async () => {
    const sub = nc.subscribe(ANNOUNCE_SUBJECT, { max: 1 });
    const submitted = await submitGoodJob();
    for await (const m of sub) announcement = parseAnnouncement(m.data);
    assert.equal(announcement.jobId, submitted.jobId.toLowerCase());
  });

  test('each bad bid is rejected with its reason; one good bid is accepted once', async () => {
    assert.equal((await bid(1, parseEther('0.2'))).reply.code, 'ABOVE_RESERVE');
    assert.equal((await bid(1, parseEther('0.01'), { signer: 4 })).reply.code, 'BAD_SIGNATURE');
    assert.equal((await bid(3, parseEther('0.01'))).reply.code, 'LOW_STAKE');
    // Account 7 is registered and staked but never said hello.
    assert.equal((await bid(7, parseEther('0.01'))).reply.code, 'UNKNOWN_PROVER');
    assert.equal((await bid(1, parseEther('0.01'), { attempt: 7 })).reply.code, 'UNKNOWN_AUCTION');
    // A delivery time the job's deadline cannot hold (the chain would refuse its assignment).
    const pastDeadline = latestDeliverySeconds(announcement) + 1;
    const late = await bid(1, parseEther('0.01'), { deliverySeconds: pastDeadline });
    assert.equal(late.reply.code, 'DELIVERY_PAST_DEADLINE');

    // A nonce is a uint64: its largest value (20 digits) parses, one more does not.
    const widest = await bid(3, parseEther('0.01'), { nonce: (1n << 64n) - 1n });
    assert.equal(widest.reply.code, 'LOW_STAKE');
    const overflow = { ...widest.req, bid: { ...widest.req.bid, nonce: (1n << 64n).toString() } };
    assert.equal((await send(overflow)).code, 'BAD_MESSAGE');

    // A bid sent on another prover's subject is refused whatever it says.
    // (Only an insider's connection can even publish there: see test/nats-auth.test.ts.)
    const misrouted = await insiderLink(1).signBid({
      ...offerFor(announcement, parseEther('0.01')),
      nonce: 999n,
    });
    assert.equal((await insiderLink(3).sendBid(misrouted)).code, 'WRONG_SUBJECT');

    const good = await bid(1, parseEther('0.05'), { nonce: 1000n });
    assert.equal(good.reply.accepted, true);
    // Accepted with the coordinator's receipt: signed by its key, naming this bid's digest.
    const { chainId, market: marketAddress, audit } = market.chain.deployment;
    const b = good.req.bid;
    const digest = bidDigest(bidDomain(chainId, marketAddress), {
      ...b,
      price: BigInt(b.price),
      nonce: BigInt(b.nonce),
    });
    assert.equal(good.reply.receipt?.bidDigest, digest);
    const signer = receiptSigner(
      receiptDomain(chainId, audit),
      { jobId: b.jobId, attempt: b.attempt, bidDigest: digest },
      good.reply.receipt?.signature ?? '',
    );
    assert.equal(signer, (market.chain.wallets[0] as { address: string }).address);
    // While the round is open, nothing of its bids shows: not the bids, not even how many.
    const sealed = (await client.auctions(announcement.jobId)).auctions[0];
    assert.equal(sealed?.status, 'OPEN');
    assert.equal(sealed?.bidCount, null);
    assert.deepEqual(sealed?.bids, []);
    assert.equal((await send(good.req)).code, 'DUPLICATE', 'the same signed bid sent again');

    // Tampered price under the original signature.
    const tampered = { ...good.req, bid: { ...good.req.bid, price: '1' } };
    assert.equal((await send(tampered)).code, 'BAD_SIGNATURE');

    // Garbage and hostile payloads: rejected, the handler keeps answering.
    for (const junk of ['not json', '{}', JSON.stringify({ bid: { jobId: 1 } }), 'x'.repeat(20_000)]) {
      const reply = await (await link(1)).sendBid(new TextEncoder().encode(junk));
      assert.equal(reply.accepted, false);
      assert.equal(reply.code, 'BAD_MESSAGE');
      assert.ok(reply.reason);
    }

    // After the window: closed. The nonce of the accepted bid can never be used again.
    await waitFor('auction to close', async () =>
      Date.now() > announcement.closesAt + 300 ? true : undefined,
    );
    assert.equal((await bid(1, parseEther('0.01'))).reply.code, 'CLOSED');
    const record = await client.auctions(announcement.jobId);
    const first = record.auctions[0];
    assert.equal(first?.bids.length, 1);
    assert.equal(first?.bidCount, 1);
    assert.equal(first?.bids[0]?.signatureValid, true);
  });
});

describe('NATS hellos', () => {
  test('a signed hello from a key not registered on-chain is refused and stores nothing', async () => {
    // Account 2 cannot get NATS credentials at all; an insider relays its signed hello anyway.
    const reply = await insiderLink(2).hello({ name: 'stranger', ...CAPS }, { timeoutMs: 5000 });
    assert.equal(reply.ok, false);
    assert.match(reply.reason ?? '', /not registered on-chain/);
    const row = await market.coordinator.ctx.prisma.prover.findUnique({
      where: { address: wallet(2).address.toLowerCase() },
    });
    assert.equal(row, null);
    const listed = (await client.provers()).provers.map((p) => p.address);
    assert.ok(!listed.includes(wallet(2).address.toLowerCase()));
  });
});

describe('NATS results', () => {
  /** The coordinators' results consumer, as the real nats-server reports it. */
  async function resultsConsumer() {
    return (await jetstreamManager(nc)).consumers.info(WORK_STREAM, RESULTS_CONSUMER);
  }

  test('a result that overtakes its award is redelivered; one for no award is refused for good', async () => {
    const sub = nc.subscribe(ANNOUNCE_SUBJECT);
    const { jobId } = await submitGoodJob();
    let announcement: Announcement | undefined;
    for await (const m of sub) {
      announcement = parseAnnouncement(m.data);
      if (announcement.jobId === jobId.toLowerCase()) break;
    }
    sub.unsubscribe();
    const { closesAt, attempt } = announcement as Announcement;
    const award = { jobId: jobId.toLowerCase(), attempt };
    const proof = { proof: new Uint8Array(64).fill(1), publicInputs: [`0x${'00'.repeat(31)}01`] };
    const redeliveredBefore = (await resultsConsumer()).num_redelivered;
    // Hold the round as a close in progress would (row locked past its window), and publish a
    // result meanwhile through JetStream: no assignment is visible yet, so the coordinator must
    // hand it back for redelivery, not drop it.
    const { prisma } = market.coordinator.ctx;
    await prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Auction" WHERE "jobId" = ${award.jobId} FOR UPDATE`;
        await waitFor('the window to pass', async () => (Date.now() > closesAt + 100 ? true : undefined));
        await (await link(1)).publishResult(award, 0, proof);
        await waitFor('the result to be redelivered', async () => {
          const info = await resultsConsumer();
          return info.num_redelivered > redeliveredBefore && info.num_ack_pending + info.num_pending > 0
            ? true
            : undefined;
        });
      },
      { timeout: 30_000 },
    );
    // Once the round has closed without a winner, the same result can never be valid: it is
    // terminated, and no proof is recorded.
    await waitFor('the round to close', async () =>
      (await prisma.auction.count({ where: { jobId: award.jobId, status: 'NO_BIDS' } })) > 0
        ? true
        : undefined,
    );
    await waitFor('the result to be settled for good', async () => {
      const info = await resultsConsumer();
      return info.num_ack_pending === 0 && info.num_pending === 0 ? true : undefined;
    });
    assert.equal(await prisma.proof.count({ where: { jobId: award.jobId } }), 0);
  });
});

describe('job transitions', () => {
  test('a move survives a concurrent move to another state it may start from', async () => {
    const { jobId } = await submitGoodJob();
    const id = jobId.toLowerCase();
    const { prisma } = market.coordinator.ctx;
    // Staged directly: the job as if awarded, then the race of a heartbeat (ASSIGNED → PROVING)
    // with the last verified proof (ASSIGNED or PROVING → VERIFYING).
    await prisma.job.update({ where: { id }, data: { status: 'ASSIGNED' } });
    let verifying: Promise<boolean> | undefined;
    await prisma.$transaction(
      async (tx) => {
        await tx.job.update({ where: { id }, data: { status: 'PROVING' } });
        // The proof's transaction reads ASSIGNED, then waits on this row lock until we commit.
        verifying = prisma.$transaction(
          (tx2) => moveJob(tx2, id, ['ASSIGNED', 'PROVING'], 'VERIFYING', 'all batch items verified'),
          { timeout: 30_000 },
        );
        // Commit only once the other transaction is waiting on this row's lock.
        await waitFor('the second move to wait on the row lock', async () => {
          const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`;
          return (row?.n ?? 0n) > 0n ? true : undefined;
        });
      },
      { timeout: 30_000 },
    );
    assert.equal(await verifying, true);
    assert.equal((await prisma.job.findUniqueOrThrow({ where: { id } })).status, 'VERIFYING');
    const events = await prisma.jobEvent.findMany({ where: { jobId: id, to: 'VERIFYING' } });
    assert.deepEqual(
      events.map((e) => e.from),
      ['PROVING'],
    );
  });
});

describe('outbox keys', () => {
  test("on-chain actions are keyed by job and attempt: a second attempt's settlement does not collide", async () => {
    const { jobId } = await submitGoodJob();
    const id = jobId.toLowerCase();
    const { prisma } = market.coordinator.ctx;
    const later = new Date(Date.now() + 3_600_000); // never run by the outbox during the test
    const settle = (attempt: number) => ({ kind: 'FULFIL' as const, jobId: id, attempt });
    try {
      // The first attempt's settlement was queued (and failed when its assignment was refused)...
      await prisma.$transaction((tx) => enqueue(tx, settle(0), later));
      // ...and the re-auctioned attempt settles under its own key.
      await prisma.$transaction((tx) => enqueue(tx, settle(1), later));
      assert.equal(await prisma.outboxAction.count({ where: { jobId: id, kind: 'FULFIL' } }), 2);
      // The same action of the same attempt is still queued once.
      await assert.rejects(prisma.$transaction((tx) => enqueue(tx, settle(1), later)));
    } finally {
      await prisma.outboxAction.deleteMany({ where: { jobId: id, kind: 'FULFIL' } });
    }
  });
});

describe('floods', () => {
  test('a prover flooding the bid subject is answered RATE_LIMITED beyond its budget', async () => {
    const l = await link(1);
    const junk = new TextEncoder().encode('{}');
    const replies = await Promise.all(Array.from({ length: 80 }, () => l.sendBid(junk)));
    const codes = replies.map((r) => r.code);
    assert.ok(codes.includes('RATE_LIMITED'), `some of 80 bids at once are refused: ${[...new Set(codes)]}`);
    assert.ok(codes.includes('BAD_MESSAGE'), 'the budget still lets a burst through');
  });

  test('a prover flooding heartbeats is cut off beyond its budget before any signature is checked', async () => {
    const l = await link(1);
    const rejected = async (kind: string) =>
      (await market.coordinator.ctx.metrics.messagesRejected.get()).values.find((v) => v.labels.kind === kind)
        ?.value ?? 0;
    const before = await rejected('heartbeat_rate');
    const award = { jobId: `0x${'77'.repeat(32)}`, attempt: 0 };
    for (let i = 0; i < 100; i++) await l.heartbeat(award, 0, 1);
    await l.nc.flush();
    const limited = await waitFor('heartbeats beyond the budget to be refused', async () => {
      const n = (await rejected('heartbeat_rate')) - before;
      return n >= 50 ? n : undefined;
    });
    assert.ok(limited <= 100 - 20 + 5, `a burst of about 20 gets through (${limited} of 100 refused)`);
  });
});
