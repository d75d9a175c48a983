// Fault scenarios around the coordinator and NATS, with real processes: the coordinator SIGKILLed
// with 20+ jobs in every state and restarted; nats-server killed and restarted mid-flight; and
// 5,000 hostile HTTP and NATS messages. Each prints its figures and fails on any loss.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { hexlify, parseEther, randomBytes, Wallet } from 'ethers';
import { commitPublicInputs } from '../../services/shared/chain/public-inputs-commitment.js';
import { generateBatches, seededRandom } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { submitTermsText } from '../../services/shared/client/coordinator-client.js';
import { bidDomain, signBid } from '../../services/shared/protocol/bid-signing.js';
import { inputsHash } from '../../services/shared/protocol/canonical-json.js';
import { REGISTER_ACTION, registrationFields } from '../../services/shared/protocol/circuit-registration.js';
import { TERMINAL_JOB_STATES } from '../../services/shared/protocol/job-states.js';
import { signRequest } from '../../services/shared/protocol/request-auth.js';
import { signMessage } from '../../services/shared/protocol/signed-message.js';
import {
  bidSubject,
  heartbeatSubject,
  helloSubject,
  resultSubject,
} from '../../services/shared/protocol/subjects.js';
import {
  anyContentId,
  loadCircuit,
  parseAnyArtifact,
} from '../../services/shared/proving/circuit-artifact.js';
import { itemPublicInputs } from '../../services/shared/proving/item-public-inputs.js';
import { waitFor } from '../fixtures/market.js';
import {
  assertCoordinatorTxsTookEffect,
  auditJobs,
  coordinatorNonce,
  type ProcessMarket,
  report,
  startProcessMarket,
  waitForTerminal,
} from '../fixtures/process-market.js';

const artifact = loadCircuit('batch_transfer');

/** An escrow opened on-chain for `items` and the requester's signed submission of it (not sent). */
async function openEscrow(m: ProcessMarket, circuitId: string, items: Record<string, unknown>[]) {
  const requester = m.chain.as(8);
  const circuit = await m.client.circuit(circuitId);
  const jobId = hexlify(randomBytes(32)).toLowerCase();
  const publicInputs = await itemPublicInputs(artifact, items);
  await requester.openJob({
    jobId,
    vkHash: circuit.vkHash,
    verifier: circuit.verifier as string,
    inputsHash: inputsHash(items),
    publicInputsRoot: commitPublicInputs(publicInputs).root,
    items: items.length,
    deadline: (await m.chain.now()) + 300,
    collateral: parseEther('1'),
    reserve: parseEther('0.0001'), // below every prover's price: it is never auctioned to anyone
    rule: 'SECOND_PRICE',
  });
  const terms = { jobId, circuitId, rule: 'SECOND_PRICE', inputsHash: inputsHash(items), public: false };
  const signature = await signRequest(requester.signer(), 'submit job', submitTermsText(terms));
  return { ...terms, items, signature };
}

async function items(n: number, seed: number) {
  return (await generateBatches(artifact, n, seed)).map((b) => b.inputs);
}

describe('the coordinator killed with 20+ jobs in flight, then restarted', () => {
  let m: ProcessMarket;
  before(async () => {
    m = await startProcessMarket({ GAVEL_REANNOUNCE_MAX_MS: '2000' }, { stakedProvers: [1, 2] });
    await Promise.all([m.startProver(1), m.startProver(2)]);
  });
  after(() => m?.stop());

  test('every job ends, database and chain agree, no on-chain action is sent twice', async () => {
    const circuitId = (await m.client.registerCircuit(artifact)).id;
    const nonceBefore = await coordinatorNonce(m);
    const jobs: string[] = [];
    const toCancel: string[] = [];
    for (let i = 0; i < 22; i++) {
      if (i % 11 === 3) {
        // Nobody bids under 0.001 ETH: these are cancelled by the requester while the coordinator is down.
        toCancel.push(await m.submit({ circuitId, items: await items(1, 100 + i), reserveEth: '0.0001' }));
      } else if (i % 11 === 7) {
        // No bids and a short deadline: these expire.
        jobs.push(
          await m.submit({ circuitId, items: await items(1, 100 + i), reserveEth: '0.0001', deadlineIn: 12 }),
        );
      } else {
        jobs.push(await m.submit({ circuitId, items: await items(i % 3 === 0 ? 2 : 1, 100 + i) }));
      }
    }
    jobs.push(...toCancel);
    await waitFor('some jobs to settle', async () =>
      (await m.prisma.job.count({ where: { status: 'SETTLED' } })) >= 3 ? true : undefined,
    );
    const states = await m.prisma.job.groupBy({ by: ['status'], _count: { _all: true } });
    await m.coordinator.stop('SIGKILL');
    const spread = Object.fromEntries(states.map((s) => [s.status, s._count._all]));
    console.log(`[faults] coordinator SIGKILLed with jobs ${JSON.stringify(spread)}`);

    const requester = m.chain.as(8);
    for (const id of toCancel) await requester.cancel(id);
    await m.startCoordinator();
    for (const id of toCancel)
      assert.equal((await m.client.cancelled(id, requester.signer())).status, 'CANCELLED');
    // A job whose provers all failed can only end at its deadline (300 s), with a refund: once
    // every other job has ended, chain time moves past it.
    await waitFor(
      'every job to end but those no prover is left for',
      async () => {
        const open = await m.prisma.job.findMany({
          where: { id: { in: jobs }, status: { notIn: [...TERMINAL_JOB_STATES] } },
        });
        return open.every((j) => j.status === 'AUCTIONING' && j.excludedProvers.length >= 2)
          ? true
          : undefined;
      },
      300_000,
    );
    await m.stack.advance(310);
    await waitForTerminal(m, jobs, 120_000);

    const figures = await auditJobs(m, jobs, 1);
    report('coordinator killed and restarted', figures);
    assert.ok(Object.keys(spread).length >= 3, `jobs were spread over states: ${JSON.stringify(spread)}`);
    assert.equal(figures.lost, 0, figures.disagreements.join('; '));
    assert.equal(figures.doublePayments, 0, figures.disagreements.join('; '));
    assert.equal(figures.cancelled, toCancel.length);
    assert.ok(figures.expired >= 2 && figures.settled >= 16, JSON.stringify(figures));
    // Every transaction the coordinator sent changed something on the Market, or was a fulfil the
    // prover's own fulfil beat.
    await assertCoordinatorTxsTookEffect(m, nonceBefore);
  });
});

describe('NATS restarted while auctions and proofs are in flight', () => {
  let m: ProcessMarket;
  before(async () => {
    m = await startProcessMarket({}, { stakedProvers: [1, 2] });
    await Promise.all([m.startProver(1), m.startProver(2)]);
  });
  after(() => m?.stop());

  test('all clients reconnect and no job is lost', async () => {
    const circuitId = (await m.client.registerCircuit(artifact)).id;
    const jobs: string[] = [];
    for (let i = 0; i < 6; i++) jobs.push(await m.submit({ circuitId, items: await items(2, 200 + i) }));
    await waitFor('a job to be proving', async () =>
      (await m.prisma.job.count({ where: { status: 'PROVING' } })) >= 1 ? true : undefined,
    );
    await m.restartNats();
    for (let i = 0; i < 2; i++) jobs.push(await m.submit({ circuitId, items: await items(1, 300 + i) }));
    await waitForTerminal(m, jobs, 180_000);
    const figures = await auditJobs(m, jobs, 1);
    report('NATS restarted mid-flight', figures);
    assert.equal(figures.settled, jobs.length, figures.disagreements.join('; '));
    assert.equal(figures.lost + figures.doublePayments, 0);
    const metrics = await (await fetch(`${m.url}/metrics`)).text();
    assert.match(metrics, /gavel_nats_reconnects_total [1-9]/);
  });
});

describe('5,000 hostile messages against the HTTP API and the NATS subjects', () => {
  let m: ProcessMarket;
  before(async () => {
    m = await startProcessMarket({ GAVEL_MAX_UPLOAD_BYTES: '262144' }, { stakedProvers: [1, 2] });
  });
  after(() => m?.stop());

  test('zero crashes, every HTTP answer a 4xx with a message, and a normal job still settles', async () => {
    const rnd = seededRandom(Number(process.env.GAVEL_FUZZ_SEED ?? 7));
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const circuitId = (await m.client.registerCircuit(artifact)).id;
    const good = await items(1, 400);
    const wallet = m.chain.wallets[1] as Wallet;
    const domain = bidDomain(m.chain.deployment.chainId, m.chain.deployment.market);
    const jobId = hexlify(randomBytes(32));
    const bidTerms = {
      jobId,
      attempt: 0,
      price: 1000n,
      prover: wallet.address,
      expiry: 9_999_999_999,
      nonce: 1n,
      deliverySeconds: 300,
    };
    const goodBid = {
      bid: { ...bidTerms, price: '1000', nonce: '1' },
      signature: await signBid(wallet, domain, bidTerms),
    };
    const goodHello = await signMessage(wallet, {
      prover: wallet.address.toLowerCase(),
      name: 'fuzz',
      backend: 'wasm',
      threads: 1,
      maxDyadic: 4096,
      gatesPerSec: 1000,
      at: Date.now(),
    });
    const goodHeartbeat = await signMessage(wallet, {
      jobId,
      attempt: 0,
      prover: wallet.address.toLowerCase(),
      done: 1,
      total: 1,
      at: Date.now(),
    });
    // The costly paths must be reachable: a real circuit artifact (parsed, its public layout read,
    // its VK computed), and a submission for an escrow that is really open, signed by its requester.
    const escrowed = await openEscrow(m, circuitId, good);
    const templates: unknown[] = [
      { jobId, circuitId, items: good },
      { jobId, circuitId, items: good, rule: 'FIRST_PRICE' },
      escrowed,
      artifact,
      goodBid,
      goodHello,
      goodHeartbeat,
      {
        ...goodHeartbeat,
        body: { ...goodHeartbeat.body, itemIndex: 0, proof: 'AAAA', publicInputs: ['0x01'] },
      },
    ];
    const junkValues = [
      null,
      true,
      -1,
      1e308,
      '',
      'x'.repeat(70_000),
      [],
      {},
      '0x',
      { $ne: 1 },
      '🔥',
      2 ** 53 + 1,
    ];
    const mutate = (v: unknown, depth = 0): unknown => {
      if (rnd() < 0.15 || depth > 4) return pick(junkValues);
      if (Array.isArray(v))
        return v.map((x) => mutate(x, depth + 1)).slice(0, Math.floor(rnd() * (v.length + 2)));
      if (v && typeof v === 'object') {
        const o: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v))
          if (rnd() > 0.1) o[rnd() < 0.05 ? `${k}_` : k] = mutate(x, depth + 1);
        return o;
      }
      if (typeof v === 'string' && rnd() < 0.3)
        return v.slice(0, Math.floor(rnd() * v.length)) + pick(['0', 'z', '']);
      return v;
    };
    const payload = (): string => {
      const r = rnd();
      if (r < 0.1) return hexlify(randomBytes(Math.floor(rnd() * 64))); // not JSON
      if (r < 0.15) return '{"a":'.repeat(200); // truncated, deeply nested
      if (r < 0.25) return JSON.stringify(pick(templates)); // replayed as-is
      return JSON.stringify(mutate(pick(templates)));
    };

    const routes: [string, string][] = [
      ['POST', '/v1/jobs'],
      ['POST', '/v1/circuits'],
      ['GET', `/v1/jobs/${pick(['0x12', jobId, 'zz', '%00'])}`],
      ['GET', '/v1/jobs?status=NOPE'],
      ['GET', '/v1/jobs?limit=-5'],
      ['POST', `/v1/jobs/${jobId}/cancel`],
      ['GET', `/v1/jobs/${jobId}/proofs`],
      ['GET', `/v1/circuits/0x${'ab'.repeat(32)}`],
    ];
    // Most uploads are signed, by an uploader the coordinator does not pay for: a mutated artifact
    // that still parses gets as far as its VK, and a new VK is refused VERIFIER_NOT_PAID.
    const fuzzUploader = Wallet.createRandom();
    const signedUpload = async (body: string) => {
      let circuit = 'unreadable';
      try {
        circuit = anyContentId(parseAnyArtifact(JSON.parse(body)));
      } catch {}
      const at = Date.now();
      const signature = await signRequest(fuzzUploader, REGISTER_ACTION, registrationFields({ circuit, at }));
      return { 'x-gavel-at': String(at), 'x-gavel-signature': signature };
    };
    const http = { answered: 0, accepted: [] as string[], non4xx: [] as string[] };
    const nats = { sent: 0, bidReplies: 0, bidsAccepted: 0 };
    const circuitsBefore = await m.prisma.circuit.count();
    const nonceBefore = await coordinatorNonce(m);
    // The NATS half comes from a registered, staked prover's own connection (an outsider cannot
    // connect at all): garbage on every subject its credentials allow.
    const hostile = await m.proverLink(2); // prover 1, honest, runs the normal job afterwards
    const nc = hostile.nc;
    const js = jetstream(nc);
    const TOTAL = 5000;
    const someone = hostile.address;
    const batch: Promise<void>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      if (i % 2 === 0) {
        const [method, path] = pick(routes);
        const body = method === 'POST' ? payload() : undefined;
        batch.push(
          (async () => {
            const signed = path === '/v1/circuits' && body !== undefined && rnd() < 0.8;
            const res = await fetch(`${m.url}${path}`, {
              method,
              headers: {
                ...(body === undefined
                  ? {}
                  : { 'content-type': rnd() < 0.9 ? 'application/json' : 'text/plain' }),
                ...(signed ? await signedUpload(body) : {}),
              },
              body,
            });
            const text = await res.text();
            http.answered++;
            let message = '';
            try {
              message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? '';
            } catch {}
            // Only the two valid templates, sent as they are, may succeed: the circuit already
            // registered (same id, nothing deployed) and the signed job of the open escrow.
            if (res.status < 300 && method === 'POST') http.accepted.push(`${path} ${text.slice(0, 200)}`);
            else if (res.status < 400 || res.status >= 500 || !message)
              http.non4xx.push(`${method} ${path} → ${res.status} ${text.slice(0, 120)}`);
          })(),
        );
      } else {
        const data = new TextEncoder().encode(payload());
        const kind = pick(['bid', 'hello', 'heartbeat', 'result']);
        nats.sent++;
        if (kind === 'bid')
          batch.push(
            nc.request(bidSubject(someone), data, { timeout: 10_000 }).then((reply) => {
              nats.bidReplies++;
              if ((reply.json() as { accepted?: boolean }).accepted) nats.bidsAccepted++;
            }),
          );
        else if (kind === 'hello')
          batch.push(nc.request(helloSubject(someone), data, { timeout: 10_000 }).then(() => undefined));
        else if (kind === 'heartbeat') nc.publish(heartbeatSubject(someone, jobId), data);
        else batch.push(js.publish(resultSubject(someone, jobId), data).then(() => undefined));
      }
      if (batch.length >= 50) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    await nc.drain();
    console.log(
      `[faults] hostile messages: http=${http.answered} nats=${nats.sent} non-4xx=${http.non4xx.length} accepted=${http.accepted.length}`,
    );
    assert.deepEqual(http.non4xx.slice(0, 10), []);
    // What succeeded is what should: the registered circuit again, the escrowed job once.
    const jobsAccepted = http.accepted.filter((a) => a.startsWith('/v1/jobs'));
    assert.ok(jobsAccepted.length <= 1, `the escrowed job accepted ${jobsAccepted.length} times`);
    // An upload accepted is the registered program (maybe under other parameter names): its VK is
    // the registered one, so its verifier is reused, never deployed again.
    const { vkHash } = await m.client.circuit(circuitId);
    for (const a of http.accepted.filter((x) => x.startsWith('/v1/circuits')))
      assert.match(a, /"id":"0x[0-9a-f]{64}"/, a);
    const uploaded = await m.prisma.circuit.findMany({ select: { vkHash: true }, skip: circuitsBefore });
    assert.ok(
      uploaded.every((c) => c.vkHash === vkHash),
      'no other program was registered',
    );
    assert.equal(await coordinatorNonce(m), nonceBefore, "no hostile message spent the coordinator's ETH");
    // Every bid got an answer, and none was accepted (there is no auction for the fuzzed job).
    assert.ok(nats.bidReplies > 0);
    assert.equal(nats.bidsAccepted, 0);
    assert.ok(m.coordinator.running, 'the coordinator process is still running');
    assert.equal((await fetch(`${m.url}/health`)).status, 200);

    // A normal job still settles.
    await m.startProver(1);
    const real = await m.submit({ circuitId, items: good, reserveEth: '0.05' });
    await waitForTerminal(m, [real]);
    const figures = await auditJobs(m, [real], http.answered + nats.sent);
    report('5,000 hostile messages then a normal job', figures);
    assert.equal(figures.settled, 1);
    assert.equal(figures.lost + figures.doublePayments, 0);
    // The hostile traffic moved no money: the winner is paid exactly the clearing price, within the reserve.
    const settled = await m.prisma.job.findUniqueOrThrow({ where: { id: real.toLowerCase() } });
    const price = BigInt(settled.clearingPriceWei ?? '0');
    assert.ok(price > 0n && price <= parseEther('0.05'), `clearing price ${price} is within (0, reserve]`);
    assert.equal(await m.chain.as(0).marketClaimable(settled.winner ?? ''), price);
  });
});
