// A prover proves only the inputs the requester committed to on-chain. A coordinator that swaps a
// job's inputs (and the hash it puts in the award) gets no proof of them: the agent checks what
// it fetched against the hash in the escrow, not against what the coordinator says.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEther } from 'ethers';
import type { ProverAgent } from '../../services/prover/agent.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { CoordinatorClient, openAndSubmitJob } from '../../services/shared/client/coordinator-client.js';
import { inputsHash } from '../../services/shared/protocol/canonical-json.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { publicInputsOf } from '../../services/shared/proving/public-inputs.js';
import { solveWitness } from '../../services/shared/proving/witness.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf, waitFor } from '../fixtures/market.js';

let market: MarketFixture;
let agent: ProverAgent;

before(async () => {
  market = await startMarket({ coordinator: { auctionWindowMs: '4000' } });
  await stakeProver(market.chain, 1);
  agent = await market.startProver(1);
});
after(async () => {
  await market?.stop();
});

test('inputs swapped behind the escrow are refused by the prover, never proved', async () => {
  const artifact = loadCircuit('batch_transfer');
  const client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  const circuit = await client.registerCircuit(artifact);
  const [committed] = await generateBatches(artifact, 1, 1);
  const [swapped] = await generateBatches(artifact, 1, 2);
  const { jobId } = await openAndSubmitJob(client, market.chain.as(4), {
    circuitId: circuit.id,
    items: [committed?.inputs as Record<string, unknown>],
    reserve: parseEther('0.05'),
    collateral: parseEther('1'),
    deadlineIn: 300,
  });
  // The coordinator's database now says the job is about other inputs (as a lying or compromised
  // coordinator would serve them), before the auction closes and the award is written.
  const id = jobId.toLowerCase();
  const other = swapped?.inputs as Record<string, unknown>;
  const { returnValue } = await solveWitness(artifact, other);
  const { prisma } = market.coordinator.ctx;
  await prisma.$transaction([
    prisma.batchItem.update({
      where: { jobId_index: { jobId: id, index: 0 } },
      data: { inputs: other as object, publicInputs: publicInputsOf(artifact.abi, other, returnValue) },
    }),
    prisma.job.update({ where: { id }, data: { inputsHash: inputsHash([other]) } }),
  ]);
  await waitFor('the prover to refuse the award', async () => {
    const m = await agent.metrics.jobs.get();
    return (m.values.find((v) => v.labels.outcome === 'failed')?.value ?? 0) >= 1 ? true : undefined;
  });
  assert.equal(await prisma.proof.count({ where: { jobId: id } }), 0, 'no proof of the swapped inputs');
  assert.notEqual((await prisma.job.findUniqueOrThrow({ where: { id } })).status, 'SETTLED');
});
