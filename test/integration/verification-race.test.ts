// Two results completing one batch, recorded at the same moment (two coordinator replicas share
// the results consumer, so this happens in a scaled-out market): the one recorded last must see both
// proofs and queue the settlement. Counted without a lock, each saw the other's proof as missing,
// the job never moved to settlement, and its prover had to fulfil on-chain by itself or be slashed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEther } from 'ethers';
import { loadAssignment, recordProof } from '../../services/coordinator/verification/verify-result.js';
import { CoordinatorClient, openAndSubmitJob } from '../../services/shared/client/coordinator-client.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { type MarketFixture, startMarket, uploaderOf } from '../fixtures/market.js';

const PROVER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
let market: MarketFixture;

before(async () => {
  market = await startMarket();
});
after(() => market?.stop());

/** A two-item job whose attempt 0 is held by PROVER (as if awarded and locked on-chain). */
async function provingJob(client: CoordinatorClient, circuitId: string, x: number): Promise<string> {
  const { jobId } = await openAndSubmitJob(client, market.chain.as(4), {
    circuitId,
    items: [
      { x: String(x), y: String(x * x) },
      { x: String(x + 1), y: String((x + 1) * (x + 1)) },
    ],
    reserve: parseEther('0.05'),
    collateral: parseEther('1'),
    deadlineIn: 600,
  });
  const { prisma } = market.coordinator.ctx;
  await prisma.job.update({ where: { id: jobId }, data: { status: 'PROVING' } });
  await prisma.assignment.create({
    data: {
      jobId,
      attempt: 0,
      prover: PROVER,
      priceWei: '1',
      status: 'ACTIVE',
      leaseUntil: new Date(Date.now() + 600_000),
    },
  });
  return jobId;
}

test('the last two results of a batch recorded at once complete it exactly once', async () => {
  const ctx = market.coordinator.ctx;
  const client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  const circuitId = (await client.registerCircuit(loadCircuit('tiny_square'))).id;
  for (let x = 2; x < 12; x += 2) {
    const jobId = await provingJob(client, circuitId, x);
    const record = async (itemIndex: number) => {
      const body = { jobId, attempt: 0, itemIndex, prover: PROVER, publicInputs: [] };
      const assignment = await loadAssignment(ctx, body);
      assert.ok(assignment);
      return recordProof(ctx, assignment, body as never, new Uint8Array([itemIndex + 1]));
    };
    const completed = await Promise.all([record(0), record(1)]);
    assert.deepEqual(
      completed.filter(Boolean).length,
      1,
      `job ${jobId}: exactly one of the two results completes the batch (got ${JSON.stringify(completed)})`,
    );
    const fulfils = await ctx.prisma.outboxAction.count({ where: { jobId, kind: 'FULFIL' } });
    assert.equal(fulfils, 1, 'its settlement is queued once');
    const assignment = await ctx.prisma.assignment.findFirstOrThrow({ where: { jobId } });
    assert.equal(assignment.status, 'COMPLETED');
    assert.equal(assignment.progress, 2);
  }
});
