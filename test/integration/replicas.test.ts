// Two coordinator replicas on one database and one NATS (a 3-node cluster), each with its own key
// holding the coordinator role, behind the stack's HTTP load balancer: each bid and hello is handled
// by exactly one replica, a hello replayed to the other replica is refused too, both replicas list
// each other, and jobs settle whichever replica awards them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Msg } from '@nats-io/transport-node';
import { parseEther, Wallet } from 'ethers';
import type { Coordinator } from '../../services/coordinator/coordinator.js';
import { onHello } from '../../services/coordinator/provers/hello.js';
import { replicaKey } from '../../services/devstack/stack.js';
import { offerFor, type ProverLink } from '../../services/prover/prover-link.js';
import { encode } from '../../services/shared/protocol/messages.js';
import { signMessage } from '../../services/shared/protocol/signed-message.js';
import { helloSubject } from '../../services/shared/protocol/subjects.js';
import {
  linkProver,
  type MarketFixture,
  stakeProver,
  startMarket,
  submitTinyJob,
  waitFor,
} from '../fixtures/market.js';

const BIDDER = 1;
const AGENT = 2;
let market: MarketFixture;
let link: ProverLink;

const CAPS = {
  name: 'replica-test',
  backend: 'wasm',
  proofSystems: ['ultrahonk' as const],
  threads: 1,
  maxDyadic: 4096,
};

/** Sum of a counter (with this exact label text) over both replicas' /metrics. */
async function summed(metric: string): Promise<number> {
  let total = 0;
  for (const url of market.stack.replicaUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${metric} `));
    total += line ? Number(line.split(' ')[1]) : 0;
  }
  return total;
}

before(async () => {
  market = await startMarket({ layout: { replicas: 2, natsNodes: 3 } });
  await stakeProver(market.chain, BIDDER);
  await stakeProver(market.chain, AGENT);
  link = await linkProver(market, BIDDER);
});
after(async () => {
  await link?.nc.close();
  await market?.stop();
});

describe('two replicas', () => {
  test('both are listed by either replica and counted in /metrics', async () => {
    const keys = [0, 1].map((r) => new Wallet(replicaKey(r)).address.toLowerCase()).sort();
    for (const url of market.stack.replicaUrls) {
      const body = (await (await fetch(`${url}/v1/replicas`)).json()) as {
        self: string;
        replicas: { address: string; url: string }[];
      };
      assert.deepEqual(
        body.replicas.map((r) => r.address),
        keys,
      );
      assert.ok(keys.includes(body.self));
      assert.ok(
        body.replicas.every((r) => r.url === market.url),
        'each replica is reached through the balancer',
      );
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /gavel_coordinator_replicas_live 2/);
      assert.match(metrics, new RegExp(`gavel_coordinator_replica_info\\{address="${body.self}"`));
    }
  });

  test('a hello replayed to any replica is refused: the last hello is kept in the shared database', async () => {
    const signed = encode(
      await signMessage(link.wallet, { prover: link.address, ...CAPS, gatesPerSec: 5000, at: Date.now() }),
    );
    const first = (await link.nc.request(helloSubject(link.address), signed, { timeout: 5000 })).json<{
      ok: boolean;
    }>();
    assert.equal(first.ok, true);
    // The same bytes handed to each replica (one of them never saw the first copy).
    for (const replica of market.stack.coordinators) {
      let reply: { ok: boolean; reason?: string } | undefined;
      const msg = {
        subject: helloSubject(link.address),
        data: signed,
        reply: 'test',
        respond: (data: Uint8Array) => {
          reply = JSON.parse(new TextDecoder().decode(data));
          return true;
        },
      } as unknown as Msg;
      await onHello((replica as Coordinator).ctx, msg);
      assert.equal(reply?.ok, false, 'a replica accepted the replayed hello');
      assert.match(reply?.reason ?? '', /replayed/);
    }
    // A newer hello is taken.
    assert.equal((await link.hello({ ...CAPS, gatesPerSec: 100_000 })).ok, true);
  });

  test('each bid is judged by one replica and answered once: accepted, never a duplicate', async () => {
    await link.hello({ ...CAPS, gatesPerSec: 100_000 });
    const before = await summed('gavel_bids_total{result="accepted"}');
    const bids: Promise<{ accepted: boolean; code?: string }>[] = [];
    const sub = link.announcements((a) => {
      // At the reserve: the agent's cheaper bid wins, and proves.
      bids.push(link.bid(offerFor(a, parseEther('0.05'))).then((r) => r.reply));
    });
    await market.startProver(AGENT, { minPriceWei: parseEther('0.001').toString() });
    const jobs: string[] = [];
    for (let x = 3; x < 7; x++) jobs.push(await submitTinyJob(market, x));
    await waitFor('the bidder to bid on every job', async () =>
      bids.length >= jobs.length ? true : undefined,
    );
    sub.unsubscribe();
    const replies = await Promise.all(bids);
    assert.ok(
      replies.every((r) => r.accepted),
      JSON.stringify(replies.filter((r) => !r.accepted)),
    );
    assert.equal(await summed('gavel_bids_total{result="DUPLICATE"}'), 0, 'no replica saw a bid twice');
    assert.ok((await summed('gavel_bids_total{result="accepted"}')) - before >= replies.length);
    // The bidder never proves: the jobs it won (while the agent held another award) wait for its
    // deadline; every job the agent won settles, whichever replica awarded it.
    const { prisma } = market.coordinator.ctx;
    await waitFor(
      'every job the agent won to settle',
      async () => {
        const rows = await prisma.job.findMany({
          where: { id: { in: jobs } },
          select: { status: true, winner: true },
        });
        const agent = (market.chain.wallets[AGENT] as Wallet).address.toLowerCase();
        const won = rows.filter((r) => r.winner === agent);
        return won.length > 0 && won.every((r) => r.status === 'SETTLED') ? true : undefined;
      },
      120_000,
    );
  });
});
