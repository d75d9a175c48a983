// Hostile results from a registered, staked prover with valid signatures, each on an award it really
// won, so each reaches the costly path (verification): garbage bytes, a proof of the wrong size, a
// proof of another circuit, a huge public-input array. Each is judged a clean "invalid" (the
// attempt fails; the coordinator stays healthy); and a result for another prover's award changes
// nothing: that job settles with its honest winner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { parseEther, type Wallet } from 'ethers';
import { offerFor, type ProofPayload, type ProverLink } from '../../services/prover/prover-link.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { CoordinatorClient, openAndSubmitJob } from '../../services/shared/client/coordinator-client.js';
import { type Award, parseAward } from '../../services/shared/protocol/messages.js';
import { resultSubject } from '../../services/shared/protocol/subjects.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit, proveInputs } from '../../services/shared/proving/circuit-prover.js';
import {
  linkProver,
  type MarketFixture,
  stakeProver,
  startMarket,
  uploaderOf,
  waitFor,
} from '../fixtures/market.js';

const HONEST = 1;
const HOSTILE = 2;
const REQUESTER = 4;
let market: MarketFixture;
let hostile: ProverLink;
let otherCircuitProof: ProofPayload;
/** What the hostile prover sends for each job it wins, by job id. */
const plans = new Map<string, (award: Award) => Promise<void>>();
let hostileBids = true;

before(async () => {
  market = await startMarket();
  await stakeProver(market.chain, HONEST);
  await stakeProver(market.chain, HOSTILE, '10');
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  const tiny = await prepareCircuit(backend, loadCircuit('tiny_square'));
  otherCircuitProof = await proveInputs(backend, tiny, { x: '3', y: '9' });
  await backend.destroy();
  hostile = await linkProver(market, HOSTILE, { name: 'hostile', gatesPerSec: 100_000 });
  hostile.announcements((a) => {
    if (hostileBids) void hostile.bid(offerFor(a, parseEther('0.002'))).catch(() => undefined);
  });
  const awards = await hostile.awards();
  void (async () => {
    for await (const m of awards) {
      const award = parseAward(m.data).body;
      await plans
        .get(award.jobId)?.(award)
        .catch(() => undefined);
      m.ack();
    }
  })();
});
after(async () => {
  await hostile?.nc.close();
  await market?.stop();
});

async function submitJob(seed: number): Promise<string> {
  const artifact = loadCircuit('batch_transfer');
  const client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  const circuit = await client.registerCircuit(artifact);
  const items = (await generateBatches(artifact, 1, seed)).map((b) => b.inputs);
  const { jobId } = await openAndSubmitJob(client, market.chain.as(REQUESTER), {
    circuitId: circuit.id,
    items,
    reserve: parseEther('0.05'),
    collateral: parseEther('0.5'),
    deadlineIn: 600,
  });
  return jobId.toLowerCase();
}

const field = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const VARIANTS: Record<string, () => ProofPayload> = {
  'garbage bytes': () => ({
    proof: new Uint8Array(7232).fill(0xff),
    publicInputs: [field(1), field(2), field(3)],
  }),
  'a proof of the wrong size': () => ({ proof: new Uint8Array(1001).fill(7), publicInputs: [field(1)] }),
  'a proof of another circuit': () => otherCircuitProof,
  'a huge public-input array': () => ({
    proof: new Uint8Array(7232).fill(1),
    publicInputs: Array.from({ length: 4096 }, (_, i) => field(i)),
  }),
};

for (const [name, payload] of Object.entries(VARIANTS)) {
  test(`${name} on an award the hostile prover won is judged invalid`, async () => {
    const { prisma } = market.coordinator.ctx;
    const id = await submitJob(Object.keys(VARIANTS).indexOf(name) + 10);
    plans.set(id, (award) => hostile.publishResult(award, 0, payload()));
    const job = await waitFor('the hostile result to be judged', async () => {
      const j = await prisma.job.findUniqueOrThrow({ where: { id } });
      return j.failureReason?.startsWith('invalid proof') ? j : undefined;
    });
    assert.ok(job.excludedProvers.includes(hostile.address));
    assert.equal(await prisma.proof.count({ where: { jobId: id } }), 0);
    assert.equal((await fetch(`${market.url}/health`)).status, 200);
  });
}

test("a result for another prover's award, or a forged message id, changes nothing: the honest winner settles", async () => {
  hostileBids = false; // this job goes to the honest prover; the hostile one only meddles
  await market.startProver(HONEST, { minPriceWei: parseEther('0.001').toString(), pricePerGateWei: '0' });
  const { prisma } = market.coordinator.ctx;
  const honest = (market.chain.wallets[HONEST] as Wallet).address.toLowerCase();
  // As soon as the job is announced (before any award or proof exists), the hostile prover
  // publishes on its own result subject under every message id it can predict for that job's
  // award and result. JetStream deduplicates ids stream-wide: a guessable id would drop the
  // coordinator's award or the winner's proof, and the honest winner's lease would lapse.
  const js = jetstream(hostile.nc);
  const forged = new Set<string>();
  const front = hostile.announcements((a) => {
    if (forged.has(a.jobId)) return;
    forged.add(a.jobId);
    const ids = [`award:${a.jobId}:0`, `result:${a.jobId}:0:0`, `result:${honest}:${a.jobId}:0:0`];
    for (const msgID of ids)
      void js
        .publish(resultSubject(hostile.address, a.jobId), new TextEncoder().encode('{}'), { msgID })
        .catch(() => undefined);
  });
  const id = await submitJob(99);
  const assignment = await waitFor(
    'the honest award',
    async () => (await prisma.assignment.findFirst({ where: { jobId: id } })) ?? undefined,
  );
  front.unsubscribe();
  assert.ok(forged.has(id), 'the hostile prover saw the announcement');
  assert.equal(assignment.prover, honest);
  // The hostile prover also signs a result for the honest prover's award (on its own subject).
  await hostile.publishResult(
    { jobId: id, attempt: assignment.attempt },
    0,
    VARIANTS['garbage bytes']?.() as ProofPayload,
  );
  const settled = await waitFor('the job to settle', async () => {
    const j = await prisma.job.findUniqueOrThrow({ where: { id } });
    return j.status === 'SETTLED' ? j : undefined;
  });
  assert.equal(settled.winner, honest);
  assert.deepEqual(settled.excludedProvers, []);
});
