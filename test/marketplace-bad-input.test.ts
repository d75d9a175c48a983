// Bad and hostile input against the coordinator (HTTP and NATS), each answered with a clear error
// and leaving no half-written state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { hexlify, parseEther, randomBytes, type Wallet } from 'ethers';
import { moveJob } from '../services/coordinator/lifecycle/job-transitions.js';
import { onResult } from '../services/coordinator/verification/verify-result.js';
import { AccountTree } from '../services/shared/circuits/account-tree.js';
import { batchShape, buildBatch, fundAccounts } from '../services/shared/circuits/batch-transfer-inputs.js';
import { Poseidon2 } from '../services/shared/circuits/poseidon2.js';
import { CoordinatorClient, openAndSubmitJob } from '../services/shared/client/coordinator-client.js';
import { GavelError } from '../services/shared/errors.js';
import { bidDomain } from '../services/shared/protocol/bid-signing.js';
import { inputsHash } from '../services/shared/protocol/canonical-json.js';
import {
  type Announcement,
  type BidReply,
  type BidRequest,
  encode,
  parseAnnouncement,
} from '../services/shared/protocol/messages.js';
import { offerFor, ProverLink } from '../services/shared/protocol/prover-link.js';
import { signMessage } from '../services/shared/protocol/signed-message.js';
import { ANNOUNCE_SUBJECT } from '../services/shared/protocol/subjects.js';
import { loadCircuit } from '../services/shared/proving/circuit-artifact.js';
import { type MarketFixture, stakeProver, startMarket, waitFor } from './fixtures/market.js';

let market: MarketFixture;
let client: CoordinatorClient;
let circuitId: string;
let nc: NatsConnection;
let goodItem: Record<string, unknown>;
const REQUESTER = 5;

before(async () => {
  market = await startMarket({ coordinator: { auctionWindowMs: '4000', maxUploadBytes: '262144' } });
  client = new CoordinatorClient(market.url);
  circuitId = (await client.registerCircuit(loadCircuit('batch_transfer'))).id;
  nc = await connect({ servers: market.nats.url });
  await stakeProver(market.chain, 1, '5'); // eligible
  await stakeProver(market.chain, 3, '0.1'); // under-staked for 1 ETH of collateral
  for (const i of [1, 2, 3]) await hello(i); // 2 is not registered on-chain at all
  const artifact = loadCircuit('batch_transfer');
  const shape = batchShape(artifact);
  const hasher = await Poseidon2.create();
  const tree = new AccountTree(shape.depth, hasher);
  fundAccounts(tree, 4, 100n);
  goodItem = buildBatch(tree, hasher, shape, [
    { from: 0, to: 1, amount: 5n },
    { from: 2, to: 3, amount: 7n },
  ]).inputs;
});
after(async () => {
  await nc?.drain();
  await market?.stop();
});

const wallet = (i: number) => market.chain.wallets[i] as Wallet;

/** Account `i` speaking the prover protocol. */
function link(i: number): ProverLink {
  const { chainId, market: marketAddress } = market.chain.deployment;
  return new ProverLink(nc, wallet(i), bidDomain(chainId, marketAddress));
}

async function hello(i: number) {
  const caps = { name: `p${i}`, backend: 'wasm', threads: 1, maxDyadic: 4096, gatesPerSec: 100_000 };
  assert.equal((await link(i).hello(caps, { timeoutMs: 5000 })).ok, true);
}

async function expectError(call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    assert.ok(e instanceof GavelError, String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** A valid one-item job from the requester: 0.1 ETH reserve, 1 ETH collateral, 10 minutes. */
function submitGoodJob() {
  return openAndSubmitJob(client, market.chain.as(REQUESTER), {
    circuitId,
    items: [goodItem],
    reserve: parseEther('0.1'),
    collateral: parseEther('1'),
    deadlineIn: 600,
  });
}

async function jobCount(): Promise<number> {
  return (await client.jobs()).jobs.length;
}

async function rawPost(path: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${market.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

describe('HTTP intake', () => {
  test('unknown circuit, unfunded and mismatched escrow, past deadline', async () => {
    const requester = market.chain.as(REQUESTER);
    const before = await jobCount();
    const jobId = hexlify(randomBytes(32));
    await expectError(
      client.request('POST', '/v1/jobs', { jobId, circuitId: `0x${'ab'.repeat(32)}`, items: [goodItem] }),
      'UNKNOWN_CIRCUIT',
    );
    await expectError(
      client.request('POST', '/v1/jobs', { jobId, circuitId, items: [goodItem] }),
      'ESCROW_NOT_FOUND',
      /open it with Market.openJob/,
    );

    // Escrow committed to other inputs.
    const vkHash = (await client.circuit(circuitId)).vkHash;
    const now = Math.floor(Date.now() / 1000);
    await requester.openJob({
      jobId,
      vkHash,
      inputsHash: inputsHash([{}]),
      deadline: now + 300,
      collateral: 1n,
      reserve: 1000n,
    });
    await expectError(
      client.request('POST', '/v1/jobs', { jobId, circuitId, items: [goodItem] }),
      'ESCROW_MISMATCH',
      /inputsHash/,
    );

    // A deadline too close to auction, prove and settle.
    const late = hexlify(randomBytes(32));
    await requester.openJob({
      jobId: late,
      vkHash,
      inputsHash: inputsHash([goodItem]),
      deadline: now + 3,
      collateral: 1n,
      reserve: 1000n,
    });
    await expectError(
      client.request('POST', '/v1/jobs', { jobId: late, circuitId, items: [goodItem] }),
      'PAST_DEADLINE',
      /leaves no time/,
    );
    assert.equal(await jobCount(), before, 'no job stored for refused submissions');
  });

  test('inputs that miss the ABI or break the circuit are refused before auction', async () => {
    const requester = market.chain.as(REQUESTER);
    const before = await jobCount();
    const wrongType = { ...goodItem, old_root: 'not a number' };
    await expectError(
      openAndSubmitJob(client, requester, {
        circuitId,
        items: [goodItem, wrongType],
        reserve: 1000n,
        collateral: 1n,
        deadlineIn: 300,
      }),
      'INVALID_INPUTS',
      /batch item 1: inputs do not match the circuit: old_root: expected a field element/,
    );
    const overdraft = structuredClone(goodItem) as { transfers: { amount: string }[] };
    (overdraft.transfers[0] as { amount: string }).amount = '0x63'; // 99 > the sender's 100 - but roots no longer match
    await expectError(
      openAndSubmitJob(client, requester, {
        circuitId,
        items: [overdraft],
        reserve: 1000n,
        collateral: 1n,
        deadlineIn: 300,
      }),
      'UNSATISFIED_CIRCUIT',
      /batch item 0: inputs do not satisfy circuit batch_transfer/,
    );
    assert.equal(await jobCount(), before);
  });

  test('malformed JSON, schema violations and oversized uploads get a 4xx with a message', async () => {
    const malformed = await rawPost('/v1/jobs', '{"jobId": ');
    assert.equal(malformed.status, 400);
    assert.ok(malformed.body.error?.message);

    const schema = await rawPost('/v1/jobs', JSON.stringify({ jobId: 'x', circuitId, items: [] }));
    assert.equal(schema.status, 400);
    assert.match(schema.body.error?.message ?? '', /jobId/);

    const huge = await rawPost(
      '/v1/circuits',
      JSON.stringify({ bytecode: 'A'.repeat(400_000), abi: { parameters: [] } }),
    );
    assert.equal(huge.status, 413);
    assert.ok(huge.body.error?.message);

    const badArtifact = await rawPost(
      '/v1/circuits',
      JSON.stringify({ bytecode: 'bm90IGd6aXA=', abi: { parameters: [] } }),
    );
    assert.equal(badArtifact.status, 400);
    assert.match(badArtifact.body.error?.message ?? '', /not base64 of gzip-compressed ACIR/);

    const notFound = await fetch(`${market.url}/v1/jobs/0x${'00'.repeat(32)}`);
    assert.equal(notFound.status, 404);
  });
});

describe('NATS bids', () => {
  let announcement: Announcement;
  let nonce = 1n;

  /** Account `i` bids `price`; `signer` signs in its place (the bid still names account `i`). */
  async function bid(
    i: number,
    price: bigint,
    opts: { nonce?: bigint; signer?: number; attempt?: number } = {},
  ) {
    const offer = {
      ...offerFor(announcement, price),
      attempt: opts.attempt ?? announcement.attempt,
      nonce: opts.nonce ?? nonce++,
    };
    const req = await link(opts.signer ?? i).signBid(offer);
    req.bid.prover = wallet(i).address;
    return { req, reply: await send(req) };
  }
  async function send(req: BidRequest): Promise<BidReply> {
    return link(1).sendBid(req);
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
    assert.equal((await bid(2, parseEther('0.01'))).reply.code, 'UNREGISTERED');
    assert.equal((await bid(3, parseEther('0.01'))).reply.code, 'LOW_STAKE');
    assert.equal((await bid(6, parseEther('0.01'))).reply.code, 'UNKNOWN_PROVER');
    assert.equal((await bid(1, parseEther('0.01'), { attempt: 7 })).reply.code, 'UNKNOWN_AUCTION');

    const good = await bid(1, parseEther('0.05'), { nonce: 1000n });
    assert.deepEqual(good.reply, { accepted: true });
    assert.equal((await send(good.req)).code, 'DUPLICATE', 'the same signed bid sent again');

    // Tampered price under the original signature.
    const tampered = { ...good.req, bid: { ...good.req.bid, price: '1' } };
    assert.equal((await send(tampered)).code, 'BAD_SIGNATURE');

    // Garbage and hostile payloads: rejected, the handler keeps answering.
    for (const junk of ['not json', '{}', JSON.stringify({ bid: { jobId: 1 } }), 'x'.repeat(20_000)]) {
      const reply = await link(1).sendBid(new TextEncoder().encode(junk));
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
    assert.equal(first?.bids[0]?.signatureValid, true);
  });
});

describe('NATS results', () => {
  // The coordinator's own result handler, fed one message: what it answered and how it settled it.
  async function handle(body: Record<string, unknown>) {
    const settled: string[] = [];
    const msg = {
      data: encode(await signMessage(wallet(1), body)),
      info: { deliveryCount: 1 },
      nak: (ms?: number) => settled.push(`nak ${ms}`),
      term: () => settled.push('term'),
      ack: () => settled.push('ack'),
    } as unknown as JsMsg;
    const outcome = await onResult(market.coordinator.ctx, msg);
    return { outcome, settled };
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
    const closesAt = (announcement as Announcement).closesAt;
    const result = {
      jobId: jobId.toLowerCase(),
      attempt: 0,
      prover: wallet(1).address.toLowerCase(),
      itemIndex: 0,
      proof: 'AAAA',
      publicInputs: [`0x${'00'.repeat(31)}01`],
    };
    // Hold the round as a close in progress would (row locked past its window), and deliver a
    // result meanwhile: no assignment is visible yet, so the result must come back, not be dropped.
    const { prisma } = market.coordinator.ctx;
    const during = await prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Auction" WHERE "jobId" = ${result.jobId} FOR UPDATE`;
        await waitFor('the window to pass', async () => (Date.now() > closesAt + 100 ? true : undefined));
        return handle(result);
      },
      { timeout: 30_000 },
    );
    assert.deepEqual(during, { outcome: 'assignment not yet written; redelivering', settled: ['nak 250'] });

    // Once the round has closed without a winner, the same result can never be valid.
    await waitFor('the round to close', async () =>
      (await prisma.auction.count({ where: { jobId: result.jobId, status: 'NO_BIDS' } })) > 0
        ? true
        : undefined,
    );
    assert.deepEqual(await handle(result), { outcome: 'not the active assignment', settled: ['term'] });
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
        await new Promise((r) => setTimeout(r, 500));
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
