// Awards are signed by a key holding the coordinator role, and agents act on nothing else: an
// unsigned award or one signed by anybody else is refused before the agent fetches anything from
// the URL it names. Hellos carry a timestamp: a replayed or stale hello is refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Wallet } from 'ethers';
import type { ProverAgent } from '../../services/prover/agent.js';
import { credsAuth } from '../../services/shared/nats/auth.js';
import { encode } from '../../services/shared/protocol/messages.js';
import { signMessage } from '../../services/shared/protocol/signed-message.js';
import { awardSubject, helloSubject } from '../../services/shared/protocol/subjects.js';
import { type MarketFixture, stakeProver, startMarket, waitFor } from '../fixtures/market.js';

let market: MarketFixture;
let agent: ProverAgent;
let insider: NatsConnection;
let trap: Server;
const hits: string[] = [];

before(async () => {
  market = await startMarket();
  await stakeProver(market.chain, 1);
  agent = await market.startProver(1);
  const creds = readFileSync(market.stack.nats.coordinatorCredsFile, 'utf8');
  insider = await connect({ servers: market.nats.url, authenticator: credsAuth(creds) });
  trap = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('{}');
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
});
after(async () => {
  trap?.close();
  await insider?.drain();
  await market?.stop();
});

async function refusedAwards(): Promise<number> {
  const m = await agent.metrics.jobs.get();
  return m.values.find((v) => v.labels.outcome === 'refused')?.value ?? 0;
}

test('an unsigned award and one signed by a non-coordinator are refused, and nothing is fetched', async () => {
  const prover = agent.address;
  const award = {
    jobId: `0x${'ee'.repeat(32)}`,
    attempt: 0,
    prover,
    priceWei: '1',
    circuitId: `0x${'ab'.repeat(32)}`,
    batchSize: 1,
    deadline: Math.floor(Date.now() / 1000) + 600,
    inputsHash: `0x${'cd'.repeat(32)}`,
    coordinatorUrl: `http://127.0.0.1:${(trap.address() as AddressInfo).port}`,
  };
  const js = jetstream(insider);
  await js.publish(awardSubject(prover), encode(award), { msgID: 'forged-unsigned' });
  const stranger = market.chain.wallets[5] as Wallet;
  await js.publish(awardSubject(prover), encode(await signMessage(stranger, award)), {
    msgID: 'forged-signed',
  });
  await waitFor('both forged awards to be refused', async () =>
    (await refusedAwards()) >= 2 ? true : undefined,
  );
  assert.deepEqual(hits, [], 'the agent never contacted the URL a forged award named');
  assert.equal(agent.status.proving, undefined);
});

test('a replayed or stale hello is refused', async () => {
  const wallet = market.chain.wallets[1] as Wallet;
  const body = {
    prover: wallet.address.toLowerCase(),
    name: 'p1',
    backend: 'wasm',
    threads: 1,
    maxDyadic: 4096,
    gatesPerSec: 100_000,
    at: Date.now(),
  };
  const hello = encode(await signMessage(wallet, body));
  const ask = async (data: Uint8Array) =>
    (await insider.request(helloSubject(wallet.address), data, { timeout: 5000 })).json<{
      ok: boolean;
      reason?: string;
    }>();
  assert.equal((await ask(hello)).ok, true);
  const replay = await ask(hello);
  assert.equal(replay.ok, false);
  assert.match(replay.reason ?? '', /replayed/);
  const stale = await ask(encode(await signMessage(wallet, { ...body, at: Date.now() - 10 * 60_000 })));
  assert.equal(stale.ok, false);
  assert.match(stale.reason ?? '', /more than 60 s from now/);
});
