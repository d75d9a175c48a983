// Fault scenarios on the scaled-out layout, with real processes: two coordinator replicas (each its
// own key with the coordinator role, behind the stack's HTTP load balancer), a 3-node NATS cluster
// (JetStream streams and buckets at replicas 3), one Postgres, anvil and four provers. 50 jobs are in
// flight when a replica is SIGKILLed for good, a NATS node is SIGKILLed and restarted, or both at
// once. Each scenario prints the fault suite's [faults] line and fails on any job lost or paid twice,
// on the chain and the database disagreeing, or on any coordinator transaction that did nothing
// (a fulfil beaten by the prover's own fulfil excepted: both may pay a job).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
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

const JOBS = 50;
const PROVERS = [1, 2, 3, 4];
const REQUESTERS = [5, 6, 7, 8];
const REPLICAS = 2;

async function clusterMarket(): Promise<ProcessMarket> {
  const m = await startProcessMarket(
    { GAVEL_REANNOUNCE_MAX_MS: '2000' },
    { stakedProvers: PROVERS, replicas: REPLICAS, natsNodes: 3 },
  );
  await Promise.all(PROVERS.map((p) => m.startProver(p)));
  return m;
}

/** Each replica's transaction count once the circuit is registered (its verifier deployed). */
let noncesBefore: number[] = [];

/** Submits `JOBS` one-item tiny_square jobs from four requesters in parallel; returns their ids. */
async function submitJobs(m: ProcessMarket): Promise<string[]> {
  const circuitId = (await m.client.registerCircuit(loadCircuit('tiny_square'))).id;
  noncesBefore = await Promise.all(Array.from({ length: REPLICAS }, (_, r) => coordinatorNonce(m, r)));
  const perRequester = Math.ceil(JOBS / REQUESTERS.length);
  const batches = await Promise.all(
    REQUESTERS.map(async (requester, r) => {
      const ids: string[] = [];
      for (let i = 0; i < perRequester && r * perRequester + i < JOBS; i++) {
        const x = 3 + r * perRequester + i;
        ids.push(await m.submit({ circuitId, items: [{ x: String(x), y: String(x * x) }], requester }));
      }
      return ids;
    }),
  );
  return batches.flat();
}

/** Waits until `n` of `jobs` are settled (the fault then hits a market mid-flight). */
async function settledAtLeast(m: ProcessMarket, jobs: string[], n: number): Promise<Record<string, number>> {
  await waitFor(`${n} jobs to settle`, async () =>
    (await m.prisma.job.count({ where: { id: { in: jobs }, status: 'SETTLED' } })) >= n ? true : undefined,
  );
  const states = await m.prisma.job.groupBy({
    by: ['status'],
    where: { id: { in: jobs } },
    _count: { _all: true },
  });
  return Object.fromEntries(states.map((s) => [s.status, s._count._all]));
}

/** Every job ended, agreed with the chain, was paid once; every replica's transactions took effect. */
async function assertClean(m: ProcessMarket, scenario: string, jobs: string[], faults: number) {
  await waitForTerminal(m, jobs, 300_000);
  const figures = await auditJobs(m, jobs, faults);
  report(scenario, figures);
  assert.equal(figures.lost, 0, figures.disagreements.join('; '));
  assert.equal(figures.doublePayments, 0, figures.disagreements.join('; '));
  assert.equal(figures.settled + figures.expired, JOBS, JSON.stringify(figures));
  assert.equal(figures.settled, JOBS, 'every job had provers and time: all of them settle');
  // Every prover is honest: a fault of the market's own parts must never cost one its stake.
  assert.equal(figures.chainTransactions.JobSlashed ?? 0, 0, 'an honest prover was slashed');
  for (let r = 0; r < REPLICAS; r++) await assertCoordinatorTxsTookEffect(m, noncesBefore[r] ?? 0, r);
  return figures;
}

/** Which replicas sent on-chain transactions for the jobs (both must share the work). */
async function replicasThatSent(m: ProcessMarket): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < REPLICAS; r++) if ((await coordinatorNonce(m, r)) > (noncesBefore[r] ?? 0)) out.push(r);
  return out;
}

// One cluster market for the three scenarios, each with 50 jobs of its own (starting the layout
// is a third of a scenario's time): the NATS node first, then the replica and node together, then,
// with the killed replica started again, the replica killed for good. Each scenario begins once
// every job of the one before has ended.
describe('faults on the scaled-out layout, 50 jobs in flight each time', () => {
  let m: ProcessMarket;
  before(async () => {
    m = await clusterMarket();
  });
  after(() => m?.stop());

  test('a NATS node SIGKILLed and restarted: clients fail over, JetStream keeps every award and result', async () => {
    const jobs = await submitJobs(m);
    const spread = await settledAtLeast(m, jobs, 5);
    await m.stack.nats.kill(0);
    console.log(`[faults] NATS node 0 SIGKILLed with jobs ${JSON.stringify(spread)}`);
    await settledAtLeast(m, jobs, (spread.SETTLED ?? 0) + 5);
    await m.stack.nats.revive(0);
    await assertClean(m, 'NATS node killed and restarted', jobs, 1);
  });

  test('a coordinator replica and a NATS node SIGKILLed at once: every job still ends exactly once', async () => {
    const jobs = await submitJobs(m);
    const spread = await settledAtLeast(m, jobs, 5);
    await Promise.all([m.killReplica(1), m.stack.nats.kill(1)]);
    console.log(`[faults] replica 1 and NATS node 1 SIGKILLed with jobs ${JSON.stringify(spread)}`);
    await new Promise((r) => setTimeout(r, 3000));
    await m.stack.nats.revive(1);
    await assertClean(m, 'replica and NATS node killed together', jobs, 2);
  });

  test('a coordinator replica SIGKILLed for good: the other finishes every job, none lost, none paid twice', async () => {
    await m.startCoordinator(1);
    await waitFor('both replicas in the replica bucket', async () => {
      const listed = (await (await fetch(`${m.url}/v1/replicas`)).json()) as { replicas: unknown[] };
      return listed.replicas.length === REPLICAS ? true : undefined;
    });
    const jobs = await submitJobs(m);
    const spread = await settledAtLeast(m, jobs, 5);
    await m.killReplica(0);
    console.log(`[faults] replica 0 SIGKILLed with jobs ${JSON.stringify(spread)}`);
    await assertClean(m, 'coordinator replica killed', jobs, 1);
    assert.deepEqual(await replicasThatSent(m), [0, 1], 'both replicas sent on-chain actions');
    await waitFor('the dead replica to leave the replica bucket', async () => {
      const now = (await (await fetch(`${m.url}/v1/replicas`)).json()) as { replicas: unknown[] };
      return now.replicas.length === REPLICAS - 1 ? true : undefined;
    });
  });
});
