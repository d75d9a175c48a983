// The market's NATS is authenticated and authorized by the server itself: anonymous clients and
// keys that are not registered provers get no credentials and no connection, and a registered
// prover's credentials reach only its own subjects — not other provers' bids, awards or results,
// not the coordinators' results consumer, not JetStream management, not announcements or circuit
// notices (only coordinators publish those).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createUser } from '@nats-io/nkeys';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Wallet } from 'ethers';
import { ProverLink } from '../../services/prover/prover-link.js';
import { CoordinatorClient } from '../../services/shared/client/coordinator-client.js';
import { bidDomain } from '../../services/shared/protocol/bid-signing.js';
import type { CircuitNotice } from '../../services/shared/protocol/messages.js';
import { credentialsMessage } from '../../services/shared/protocol/prover-credentials.js';
import {
  ANNOUNCE_SUBJECT,
  awardConsumer,
  bidSubject,
  CIRCUITS_SUBJECT,
  RESULTS_CONSUMER,
  WORK_STREAM,
} from '../../services/shared/protocol/subjects.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { pollUntil } from '../../services/shared/retry.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf } from '../fixtures/market.js';

let market: MarketFixture;
let honest: ProverLink;
let other: ProverLink;

const wallet = (i: number) => market.chain.wallets[i] as Wallet;
const connectAs = (i: number) =>
  ProverLink.connect({
    coordinatorUrl: market.url,
    natsUrl: market.nats.url,
    wallet: wallet(i),
    domain: bidDomain(market.chain.deployment.chainId, market.chain.deployment.market),
  });

before(async () => {
  market = await startMarket();
  await stakeProver(market.chain, 1);
  await stakeProver(market.chain, 3);
  honest = await connectAs(1);
  other = await connectAs(3);
});
after(async () => {
  await honest?.nc.close();
  await other?.nc.close();
  await market?.stop();
});

/** The permission errors the server reports on `nc` for `action` (the server reports them
 *  asynchronously: they are waited for, up to 5 s, rather than given a fixed time). */
async function violations(nc: NatsConnection, action: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const watching = (async () => {
    for await (const s of nc.status()) if (s.type === 'error') seen.push(String(s.error));
  })();
  await action().catch((e: unknown) => seen.push(String(e)));
  await nc.flush();
  const refused = () => seen.filter((m) => /permissions violation/i.test(m));
  await pollUntil(() => refused().length > 0, { everyMs: 10, timeoutMs: 5_000 });
  void watching;
  return refused();
}

test('an anonymous client is refused', async () => {
  await assert.rejects(connect({ servers: market.nats.url, timeout: 3000 }), /Authorization/i);
});

test('a key that is not a registered prover gets no credentials, and a forged request is refused', async () => {
  await assert.rejects(connectAs(2), /NATS_CREDENTIALS_REFUSED|NOT_REGISTERED/);
  // A request for account 1's address signed by account 2.
  const nkey = createUser().getPublicKey();
  const at = Date.now();
  const prover = wallet(1).address.toLowerCase();
  const signature = await wallet(2).signMessage(credentialsMessage(prover, nkey, at));
  const res = await fetch(`${market.url}/v1/provers/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prover, nkey, at, signature }),
  });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'BAD_SIGNATURE');
});

test('a registered prover works on its own subjects', async () => {
  const reply = await honest.hello({
    name: 'p1',
    backend: 'wasm',
    proofSystems: ['ultrahonk'],
    threads: 1,
    maxDyadic: 4096,
    gatesPerSec: 100_000,
  });
  assert.equal(reply.ok, true);
});

test("a registered prover cannot read bids, publish as another prover, or touch others' awards and results", async () => {
  const nc = honest.nc;
  const readBids = await violations(nc, async () => {
    const sub = nc.subscribe('gavel.bids.*');
    await sub.closed;
  });
  assert.ok(readBids.length > 0, 'subscribing to every bid is refused');
  const forge = await violations(nc, async () => nc.publish(bidSubject(other.address), '{}'));
  assert.ok(forge.length > 0, "publishing on another prover's bid subject is refused");
  const steal = await violations(nc, () =>
    jetstream(nc).consumers.get(WORK_STREAM, awardConsumer(other.address)),
  );
  assert.ok(steal.length > 0, "another prover's award consumer is out of reach");
  const results = await violations(nc, () => jetstream(nc).consumers.get(WORK_STREAM, RESULTS_CONSUMER));
  assert.ok(results.length > 0, "the coordinators' results consumer is out of reach");
  const manage = await violations(nc, async () => (await jetstreamManager(nc)).streams.delete(WORK_STREAM));
  assert.ok(manage.length > 0, 'JetStream management is refused');
  // And the stream is still there for the coordinator.
  const info = await (await jetstreamManager(market.coordinator.ctx.nc)).streams.info(WORK_STREAM);
  assert.equal(info.config.name, WORK_STREAM);
});

test('only a coordinator announces jobs and notices circuits; provers hear its notices', async () => {
  const nc = honest.nc;
  for (const subject of [ANNOUNCE_SUBJECT, CIRCUITS_SUBJECT]) {
    const forged = await violations(nc, async () => nc.publish(subject, '{}'));
    assert.ok(forged.length > 0, `a prover publishing on ${subject} is refused`);
  }
  const heard = new Promise<CircuitNotice>((resolve, reject) => {
    const sub = other.circuitNotices((n) => {
      sub.unsubscribe();
      resolve(n);
    });
    setTimeout(() => reject(new Error('no circuit notice reached the prover in 15 s')), 15_000).unref();
  });
  await other.nc.flush();
  const circuit = await new CoordinatorClient(market.url, uploaderOf(market.chain)).registerCircuit(
    loadCircuit('tiny_square'),
  );
  const notice = await heard;
  assert.deepEqual(
    [notice.circuitId, notice.vkHash, notice.verifier, notice.dyadic, notice.proofSystem],
    [circuit.id, circuit.vkHash, circuit.verifier, circuit.dyadic, 'ultrahonk'],
  );
});
