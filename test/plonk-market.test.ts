// Two proof systems in one market, end to end on real parts (Postgres, nats-server, anvil, bb.js
// and snarkjs proofs): a PLONK batch_transfer job and an UltraHonk batch_transfer job, auctioned
// to the same provers at the same time. Only a prover that declares PLONK bids on the PLONK job;
// both jobs are proved, verified off-chain by the coordinator with the right system, fulfilled
// on-chain through each circuit's own verifier, and paid.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEther, type Wallet } from 'ethers';
import { generateBatches } from '../services/shared/circuits/batch-transfer-inputs.js';
import { CoordinatorClient, openAndSubmitJob } from '../services/shared/client/coordinator-client.js';
import { loadAnyCircuit } from '../services/shared/proving/circuit-artifact.js';
import { type MarketFixture, stakeProver, startMarket, waitFor } from './fixtures/market.js';
import { devPlonkCircuit } from './fixtures/plonk.js';

const BOTH = 1;
const ULTRAHONK_ONLY = 2;
const REQUESTER = 4;
let market: MarketFixture;
let client: CoordinatorClient;
const addr = (i: number) => (market.chain.wallets[i] as Wallet).address.toLowerCase();

before(async () => {
  // Made before the market starts: the coordinator and the provers set PLONK keys up from it.
  const plonkCircuit = await devPlonkCircuit('batch_transfer_plonk');
  market = await startMarket({ coordinator: { auctionWindowMs: '5000' } });
  await stakeProver(market.chain, BOTH);
  await stakeProver(market.chain, ULTRAHONK_ONLY);
  await market.startProver(BOTH, { proofSystems: 'ultrahonk,plonk' });
  await market.startProver(ULTRAHONK_ONLY, { proofSystems: 'ultrahonk' });
  client = new CoordinatorClient(market.url);
  plonkId = (await client.registerCircuit(plonkCircuit)).id;
});
after(async () => {
  await market?.stop();
});

let plonkId: string;

async function submitBatchJob(circuitName: string, circuitId: string) {
  const batches = await generateBatches(loadAnyCircuit(circuitName), 1, 5);
  const submitted = await openAndSubmitJob(client, market.chain.as(REQUESTER), {
    circuitId,
    items: batches.map((b) => b.inputs as Record<string, unknown>),
    reserve: parseEther('0.05'),
    collateral: parseEther('1'),
    deadlineIn: 900,
  });
  return { jobId: submitted.jobId.toLowerCase(), publicInputs: batches.map((b) => b.publicInputs) };
}

const settled = (jobId: string) =>
  waitFor(
    `job ${jobId} to end`,
    async () => {
      const j = await client.job(jobId);
      return ['SETTLED', 'EXPIRED', 'CANCELLED'].includes(j.status) ? j : undefined;
    },
    600_000,
  );

test('a PLONK job and an UltraHonk job settle side by side, each proved and paid in its own system', async () => {
  const plonkCircuit = await client.circuit(plonkId);
  assert.equal(plonkCircuit.proofSystem, 'plonk');
  const honk = await client.registerCircuit(loadAnyCircuit('batch_transfer'));
  assert.equal(honk.proofSystem, 'ultrahonk');

  const [plonkJob, honkJob] = await Promise.all([
    submitBatchJob('batch_transfer_plonk', plonkId),
    submitBatchJob('batch_transfer', honk.id),
  ]);
  const [plonkEnd, honkEnd] = await Promise.all([settled(plonkJob.jobId), settled(honkJob.jobId)]);
  assert.equal(plonkEnd.status, 'SETTLED', `PLONK job ended ${plonkEnd.status}: ${plonkEnd.failureReason}`);
  assert.equal(honkEnd.status, 'SETTLED', `UltraHonk job ended ${honkEnd.status}: ${honkEnd.failureReason}`);
  // Only the prover that declared PLONK bid on (and won) the PLONK job.
  assert.equal(plonkEnd.winner, addr(BOTH));
  const record = await client.auctions(plonkJob.jobId);
  const bidders = new Set(record.auctions.flatMap((a) => a.bids.map((b) => b.prover.toLowerCase())));
  assert.deepEqual([...bidders], [addr(BOTH)]);

  // Both escrows were fulfilled on-chain: each proof passed its circuit's own verifier there.
  const chain = market.chain.as(REQUESTER);
  for (const job of [plonkJob, honkJob]) {
    assert.equal((await chain.job(job.jobId)).status, 'Settled');
    assert.equal(await chain.market.getFunction('isItemVerified')(job.jobId, 0), true);
  }
  // The served PLONK proof carries exactly the public inputs the requester committed.
  const proofs = await client.proofs(plonkJob.jobId);
  assert.deepEqual(
    proofs.proofs.map((p) => p.publicInputs.map(BigInt)),
    plonkJob.publicInputs.map((pi) => pi.map(BigInt)),
  );
});
