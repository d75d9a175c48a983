// Fault scenarios on the prover side, with real processes (SIGKILL), NATS, Postgres, anvil and
// bb.js: a prover killed mid-proof, a prover restarted while holding its award, cheating provers
// (tampered proof, proof of other inputs), a silent prover slashed by a third party, and a job
// nobody bids on. Each prints its figures and fails on any lost job or double payment.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEther, type Wallet } from 'ethers';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { repoRoot } from '../../services/shared/paths.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { HostileProver } from '../fixtures/hostile-prover.js';
import { waitFor } from '../fixtures/market.js';
import {
  auditJobs,
  type ProcessMarket,
  passAttemptDeadline,
  report,
  startProcessMarket,
  waitForTerminal,
} from '../fixtures/process-market.js';

const artifact = loadCircuit('batch_transfer');

async function slashedTimes(m: ProcessMarket, prover: string): Promise<number> {
  const staking = m.chain.as(0).staking;
  const logs = await m.chain.provider.getLogs({ address: m.chain.deployment.staking, fromBlock: 0 });
  // Slashed(jobId, prover, slasher, toSlasher, toRequester, toTreasury)
  return logs
    .map((l) => staking.interface.parseLog(l))
    .filter((e) => e?.name === 'Slashed' && String(e.args[1]).toLowerCase() === prover.toLowerCase()).length;
}

async function stakeOf(m: ProcessMarket, index: number): Promise<bigint> {
  return (await m.chain.as(0).proverInfo((m.chain.wallets[index] as Wallet).address)).stake;
}

const address = (m: ProcessMarket, i: number) => (m.chain.wallets[i] as Wallet).address.toLowerCase();

/** Whether prover `index` has prepared a noticed circuit (its metrics say so). */
async function preparedCircuit(m: ProcessMarket, index: number): Promise<boolean> {
  const metrics = await (await fetch(String(m.provers.get(index)?.ready.metricsUrl))).text();
  return /gavel_prover_circuits_prepared_total\{verdict="ok"\} 1\b/.test(metrics);
}

async function waitProving(m: ProcessMarket, jobId: string, prover: string): Promise<void> {
  await waitFor(
    'the winner to be proving',
    async () => {
      const a = await m.prisma.assignment.findFirst({ where: { jobId, status: 'ACTIVE', prover } });
      return a && a.progress >= 1 ? true : undefined;
    },
    60_000,
  );
}

describe('a prover killed mid-proof; a prover restarted while holding its award', () => {
  let m: ProcessMarket;
  let circuitId: string;
  before(async () => {
    m = await startProcessMarket({}, { stakedProvers: [1, 2] });
    circuitId = (await m.client.registerCircuit(artifact)).id;
  });
  after(() => m?.stop());

  test('killed mid-proof: its attempt deadline passes, re-auctioned without it, settles; slashed exactly once', async () => {
    await m.startProver(1);
    // Prover 2 asks more than prover 1's price for this job whatever its size (equal prices would
    // leave the first award to whichever bid arrived first).
    await m.startProver(2, { GAVEL_MIN_PRICE_WEI: parseEther('0.01').toString() });
    // Both started after the circuit was registered: registering it again notices it to them, and
    // both prepare it before the job, so neither bid is late for preparing it inside the window
    // (prover 1 losing the first auction that way left the test waiting for it to prove).
    await m.client.registerCircuit(artifact);
    await waitFor('both provers to prepare the circuit', async () => {
      const ready = await Promise.all([1, 2].map((i) => preparedCircuit(m, i)));
      return ready.every(Boolean) ? true : undefined;
    });
    const stakeBefore = await stakeOf(m, 1);
    // Enough items that the winner is still proving when the kill lands (with 4, a fast machine
    // could publish the last three proofs between the first heartbeat and the SIGKILL).
    const items = (await generateBatches(artifact, 8, 11)).map((b) => b.inputs);
    const jobId = await m.submit({ circuitId, items });
    await waitProving(m, jobId, address(m, 1));
    await m.provers.get(1)?.stop('SIGKILL');
    const atKill = await m.prisma.proof.count({ where: { jobId } });
    assert.ok(
      atKill < items.length,
      `killed mid-proof, not after it: ${atKill} of ${items.length} proofs in`,
    );
    await passAttemptDeadline(m, jobId);
    await waitForTerminal(m, [jobId]);

    const job = await m.prisma.job.findUniqueOrThrow({
      where: { id: jobId },
      include: { assignments: { orderBy: { attempt: 'asc' } }, events: { orderBy: { id: 'asc' } } },
    });
    const story = JSON.stringify(job.events.map((e) => [e.to, e.reason]));
    const figures = await auditJobs(m, [jobId], 1);
    report('prover killed mid-proof', figures);
    assert.equal(job.status, 'SETTLED', story);
    assert.equal(job.winner, address(m, 2), story);
    assert.deepEqual(
      job.assignments.map((a) => [a.prover, a.status]),
      [
        [address(m, 1), 'FAILED'],
        [address(m, 2), 'COMPLETED'],
      ],
      story,
    );
    assert.equal(await slashedTimes(m, address(m, 1)), 1);
    assert.equal(stakeBefore - (await stakeOf(m, 1)), parseEther('1'), 'exactly the collateral was slashed');
    assert.equal(await m.chain.as(0).marketClaimable(address(m, 2)), BigInt(job.clearingPriceWei ?? -1));
    assert.equal(figures.lost, 0);
    assert.equal(figures.doublePayments, 0);
    await m.provers.get(2)?.stop();
  });
});

describe('a prover restarted while holding its award', () => {
  let m: ProcessMarket;
  before(async () => {
    m = await startProcessMarket({}, { stakedProvers: [1] });
  });
  after(() => m?.stop());

  test('picks the award back up and finishes without a re-auction', async () => {
    const circuitId = (await m.client.registerCircuit(artifact)).id;
    await m.startProver(1);
    const items = (await generateBatches(artifact, 4, 12)).map((b) => b.inputs);
    const jobId = await m.submit({ circuitId, items });
    await waitProving(m, jobId, address(m, 1));
    await m.provers.get(1)?.stop('SIGKILL');
    await m.startProver(1);
    await waitForTerminal(m, [jobId]);

    const job = await m.prisma.job.findUniqueOrThrow({
      where: { id: jobId },
      include: { assignments: true, auctions: true },
    });
    const figures = await auditJobs(m, [jobId], 1);
    report('prover restarted holding its award', figures);
    assert.equal(job.status, 'SETTLED');
    assert.equal(job.assignments.length, 1, 'no second attempt');
    assert.deepEqual([...new Set(job.auctions.map((a) => a.attempt))], [0], 'no re-auction');
    assert.equal(await slashedTimes(m, address(m, 1)), 0);
    assert.equal(figures.lost + figures.doublePayments, 0);
  });
});

describe('cheating and silent provers; a job nobody bids on', () => {
  let m: ProcessMarket;
  let circuitId: string;
  const hostile: HostileProver[] = [];
  before(async () => {
    m = await startProcessMarket(
      { GAVEL_SETTLE_MARGIN_MS: '1000', GAVEL_REANNOUNCE_BASE_MS: '500' },
      { stakedProvers: [1, 3, 4, 5] },
    );
    circuitId = (await m.client.registerCircuit(artifact)).id;
  });
  after(async () => {
    for (const h of hostile) await h.stop();
    await m?.stop();
  });

  test('a tampered proof and a valid proof of other inputs are rejected, slashed, re-auctioned', async () => {
    const { deployment } = m.chain;
    hostile.push(
      await HostileProver.start(
        m.chain.wallets[3] as Wallet,
        { natsUrl: m.nats.url, coordinatorUrl: m.url },
        deployment,
        'tamper',
        parseEther('0.0003'),
      ),
      await HostileProver.start(
        m.chain.wallets[4] as Wallet,
        { natsUrl: m.nats.url, coordinatorUrl: m.url },
        deployment,
        'other-inputs',
        parseEther('0.0004'),
      ),
    );
    await m.startProver(1);
    const items = (await generateBatches(artifact, 1, 13)).map((b) => b.inputs);
    const jobId = await m.submit({ circuitId, items });
    await waitForTerminal(m, [jobId]);
    for (const h of hostile.splice(0)) await h.stop();

    const job = await m.prisma.job.findUniqueOrThrow({
      where: { id: jobId },
      include: { assignments: { orderBy: { attempt: 'asc' } } },
    });
    const figures = await auditJobs(m, [jobId], 2);
    report('tampered proof + proof of other inputs', figures);
    assert.equal(job.status, 'SETTLED');
    assert.deepEqual(
      job.assignments.map((a) => [a.prover, a.status]),
      [
        [address(m, 3), 'FAILED'],
        [address(m, 4), 'FAILED'],
        [address(m, 1), 'COMPLETED'],
      ],
    );
    assert.equal(await slashedTimes(m, address(m, 3)), 1);
    assert.equal(await slashedTimes(m, address(m, 4)), 1);
    assert.equal(figures.lost + figures.doublePayments, 0);
    await m.provers.get(1)?.stop();
  });

  test('a silent winner is slashed by a third party with gavel slash; the coordinator copes', async () => {
    const silent = await HostileProver.start(
      m.chain.wallets[5] as Wallet,
      { natsUrl: m.nats.url, coordinatorUrl: m.url },
      m.chain.deployment,
      'silent',
      parseEther('0.0003'),
    );
    hostile.push(silent);
    const items = (await generateBatches(artifact, 1, 14)).map((b) => b.inputs);
    const jobId = await m.submit({ circuitId, items });
    await waitFor('the silent prover to win', async () =>
      (await m.prisma.assignment.findFirst({ where: { jobId, status: 'ACTIVE' } })) ? true : undefined,
    );
    // The coordinator is down while the deadline passes (killed), so the slash is a third party's.
    await m.coordinator.stop('SIGKILL');
    const onChain = await m.chain.as(0).job(jobId);
    await m.stack.advance(onChain.deadline - (await m.chain.now()) + 1);
    // A third party (account 7), with the CLI.
    const slash = spawnSync(
      process.execPath,
      [join(repoRoot, 'services/cli/gavel.mjs'), 'slash', jobId, '--json'],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          GAVEL_RPC_URL: m.chain.anvil.url,
          GAVEL_DEPLOYMENT: m.deploymentFile,
          GAVEL_PRIVATE_KEY: (m.chain.wallets[7] as Wallet).privateKey,
        },
      },
    );
    assert.equal(slash.status, 0, slash.stdout + slash.stderr);
    assert.equal((await m.chain.as(0).job(jobId)).status, 'Expired');
    await m.startCoordinator();
    await waitForTerminal(m, [jobId]);
    const job = await m.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    const figures = await auditJobs(m, [jobId], 1);
    report('silent prover slashed by a third party', figures);
    assert.equal(job.status, 'EXPIRED');
    assert.equal(await slashedTimes(m, address(m, 5)), 1, 'slashed exactly once');
    const errors = await m.prisma.outboxAction.count({ where: { jobId, status: 'FAILED' } });
    assert.equal(errors, 0, 'no outbox action failed');
    assert.equal(figures.lost + figures.doublePayments, 0);
  });

  test('a job nobody bids on is re-announced and expires with a full refund', async () => {
    for (const h of hostile.splice(0)) await h.stop();
    const requester = (m.chain.wallets[8] as Wallet).address;
    const claimableBefore = await m.chain.as(0).marketClaimable(requester);
    const items = (await generateBatches(artifact, 1, 15)).map((b) => b.inputs);
    const jobId = await m.submit({ circuitId, items, reserveEth: '0.0001' });
    await waitFor('a second round', async () =>
      (await m.prisma.auction.count({ where: { jobId } })) >= 2 ? true : undefined,
    );
    const { deadline } = await m.chain.as(0).job(jobId);
    await m.stack.advance(deadline - (await m.chain.now()) + 1);
    await waitForTerminal(m, [jobId], 60_000);
    const job = await m.prisma.job.findUniqueOrThrow({ where: { id: jobId }, include: { auctions: true } });
    const figures = await auditJobs(m, [jobId], 0);
    report('no bids', figures);
    assert.equal(job.status, 'EXPIRED');
    assert.ok(job.auctions.length >= 2, `re-announced: ${job.auctions.length} rounds`);
    assert.equal((await m.chain.as(0).marketClaimable(requester)) - claimableBefore, parseEther('0.0001'));
    assert.equal(figures.lost + figures.doublePayments, 0);
  });
});
