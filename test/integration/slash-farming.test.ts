// Review N1, the whole attack: a requester registers tiny_square with its private `x` relabelled
// public, so the escrow commits to public inputs [x, y] while every honest proof carries [y]; each
// winner's signed result would then be "invalid" and slashed, 40 % of the collateral going to the
// requester, over and over. Registration refuses the artifact. With registration bypassed (the
// artifact written straight into the coordinator's database), an honest prover that prepares the
// circuit refuses it and does not bid; a prover that trusted the artifact anyway proves, finds its
// proof is not the committed leaf before signing anything, and hands back: nobody is slashed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hexlify, parseEther, randomBytes } from 'ethers';
import type { ProverAgent } from '../../services/prover/agent.js';
import type { AwardWorker } from '../../services/prover/proving/award-worker.js';
import { commitPublicInputs } from '../../services/shared/chain/public-inputs-commitment.js';
import { CoordinatorClient, submitTermsText } from '../../services/shared/client/coordinator-client.js';
import { inputsHash } from '../../services/shared/protocol/canonical-json.js';
import { REGISTER_ACTION, registrationFields } from '../../services/shared/protocol/circuit-registration.js';
import { signRequest } from '../../services/shared/protocol/request-auth.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import {
  acirBytes,
  type CircuitArtifact,
  circuitContentId,
  loadCircuit,
} from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit } from '../../services/shared/proving/circuit-prover.js';
import { publicInputsOf } from '../../services/shared/proving/public-inputs.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf, waitFor } from '../fixtures/market.js';

const honest = loadCircuit('tiny_square');
const lying: CircuitArtifact = {
  ...honest,
  abi: {
    ...honest.abi,
    parameters: honest.abi.parameters.map((p) => ({ ...p, visibility: 'public' as const })),
  },
};
const lyingId = circuitContentId(lying);
const STAKE = parseEther('5');
const REQUESTER = 4;

let market: MarketFixture;
let careful: ProverAgent;
let trusting: ProverAgent;

before(async () => {
  market = await startMarket({ coordinator: { auctionWindowMs: '2000' } });
  await stakeProver(market.chain, 1);
  await stakeProver(market.chain, 2);
  careful = await market.startProver(1);
  trusting = await market.startProver(2);
});
after(async () => {
  await market?.stop();
});

/** POST /v1/circuits of `artifact`, signed by the market's test uploader. */
async function post(path: '/v1/circuits', artifact: CircuitArtifact) {
  const at = Date.now();
  const fields = registrationFields({ circuit: circuitContentId(artifact), at });
  const signature = await signRequest(uploaderOf(market.chain), REGISTER_ACTION, fields);
  const res = await fetch(`${market.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gavel-at': String(at), 'x-gavel-signature': signature },
    body: JSON.stringify(artifact),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

test('an ABI that marks a private parameter public is refused at registration, by name', async () => {
  const refused = await post('/v1/circuits', lying);
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error?.code, 'PUBLIC_INPUTS_MISMATCH');
  assert.match(refused.body.error?.message ?? '', /the program \[1\]/);
  assert.equal(await market.coordinator.ctx.prisma.circuit.count({ where: { id: lyingId } }), 0);
  const registered = await post('/v1/circuits', honest);
  assert.ok(registered.status < 300, JSON.stringify(registered.body));
  // The same program compressed again is the same circuit, not a new one (nor a new deployment).
  const regzipped = { ...honest, bytecode: gzipSync(acirBytes(honest), { level: 1 }).toString('base64') };
  const again = await post('/v1/circuits', regzipped);
  assert.equal(again.body.id, registered.body.id);
  assert.equal(again.body.created, false);
  // The same program under another parameter name is another circuit, with the same verifier:
  // the coordinator deploys nothing for it (its nonce does not move).
  const coordinator = market.chain.wallets[0]?.address as string;
  const nonce = await market.chain.provider.getTransactionCount(coordinator);
  const renamed = {
    ...honest,
    abi: {
      ...honest.abi,
      parameters: honest.abi.parameters.map((p) => ({ ...p, name: `${p.name}_renamed` })),
    },
  };
  const sibling = await post('/v1/circuits', renamed);
  assert.equal(sibling.status, 201);
  assert.notEqual(sibling.body.id, registered.body.id);
  assert.equal(sibling.body.verifier, registered.body.verifier);
  assert.equal(await market.chain.provider.getTransactionCount(coordinator), nonce);
});

/** The attacker's escrow: committing the public inputs the lying ABI predicts, submitted to the
 *  coordinator under the lying circuit, which it has in its database without registration. */
async function openFarmingJob(): Promise<string> {
  const { prisma } = market.coordinator.ctx;
  const row = await prisma.circuit.findUniqueOrThrow({ where: { id: circuitContentId(honest) } });
  await prisma.circuit.create({
    data: {
      name: row.name,
      noirVersion: row.noirVersion,
      bytecode: row.bytecode,
      vk: row.vk,
      vkHash: row.vkHash,
      verifier: row.verifier,
      gates: row.gates,
      dyadic: row.dyadic,
      id: lyingId,
      abi: lying.abi as object,
    },
  });
  const items = [{ x: '3', y: '9' }];
  const contracts = market.chain.as(REQUESTER);
  const jobId = hexlify(randomBytes(32)).toLowerCase();
  const block = await market.chain.provider.getBlock('latest');
  await contracts.openJob({
    jobId,
    vkHash: row.vkHash,
    verifier: row.verifier as string,
    inputsHash: inputsHash(items),
    publicInputsRoot: commitPublicInputs([publicInputsOf(lying.abi, items[0] as Record<string, unknown>)])
      .root,
    items: 1,
    deadline: (block?.timestamp ?? 0) + 300,
    collateral: parseEther('1'),
    reserve: parseEther('0.05'),
    rule: 'SECOND_PRICE',
  });
  const terms = {
    jobId,
    circuitId: lyingId,
    rule: 'SECOND_PRICE',
    inputsHash: inputsHash(items),
    public: false,
  };
  const signature = await signRequest(contracts.signer(), 'submit job', submitTermsText(terms));
  await new CoordinatorClient(market.url).request('POST', '/v1/jobs', { ...terms, items, signature });
  return jobId;
}

test('with registration bypassed, no honest prover is slashed: one refuses to bid, the other hands back', async () => {
  // The trusting prover skips its own artifact check: it holds the lying circuit as prepared, so
  // only its check of each result against the committed leaf stands between it and a slash.
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  const prepared = await prepareCircuit(backend, honest).finally(() => backend.destroy());
  const worker = (trusting as unknown as { worker: AwardWorker }).worker;
  worker.circuits.set(lyingId, { ...prepared, id: lyingId, artifact: lying });

  const jobId = await openFarmingJob();
  const { prisma } = market.coordinator.ctx;
  await waitFor('the trusting prover to hand the attempt back on-chain', async () => {
    const job = await market.chain.as(0).job(jobId);
    return job.attempt >= 1 && job.status === 'Open' ? job : undefined;
  });
  const bids = await prisma.bid.findMany({ where: { auction: { jobId } } });
  assert.deepEqual(
    [...new Set(bids.map((b) => b.prover))],
    [market.chain.wallets[2]?.address.toLowerCase()],
    'only the prover that skipped its artifact check bid',
  );
  const market_ = market.chain.as(0).market;
  assert.equal((await market_.queryFilter(market_.filters.JobSlashed?.(jobId) ?? 'JobSlashed')).length, 0);
  assert.equal(
    (await market_.queryFilter(market_.filters.JobHandedBack?.(jobId) ?? 'JobHandedBack')).length,
    1,
  );
  for (const index of [1, 2]) {
    const info = await market.chain.as(0).proverInfo(market.chain.wallets[index]?.address as string);
    assert.equal(info.stake, STAKE, `prover ${index} keeps its whole stake`);
    assert.equal(info.locked, 0n, `prover ${index} has nothing locked`);
  }
  assert.equal(await prisma.proof.count({ where: { jobId } }), 0, 'no result was signed and sent');
  assert.ok(worker.refusedCircuits.has(lyingId), 'the trusting prover refuses the circuit from now on');
  // A hand-back is free, so the coordinator never awards that job to that prover again (review N3).
  const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
  assert.deepEqual(job.excludedProvers, [market.chain.wallets[2]?.address.toLowerCase()]);
  assert.equal(careful.address.toLowerCase(), market.chain.wallets[1]?.address.toLowerCase());
});
