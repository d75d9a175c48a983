// An error of ours is never the prover's fault. With the coordinator's bb verifier crashing, an
// honest prover's result is retried, not judged: no failed attempt, no exclusion, no slash; once
// the verifier works again the same result settles the job. A malformed proof, on a verifier that
// works, is still a clean "invalid".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Wallet } from 'ethers';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit, proveInputs } from '../../services/shared/proving/circuit-prover.js';
import { type MarketFixture, stakeProver, startMarket, submitTinyJob, waitFor } from '../fixtures/market.js';

let market: MarketFixture;
const PROVER = 1;
const REQUESTER = 4;

before(async () => {
  market = await startMarket();
  await stakeProver(market.chain, PROVER);
  await market.startProver(PROVER);
});
after(async () => {
  await market?.stop();
});

/** The bb.js API inside the coordinator's verifier, where the crash is injected. */
type VerifyApi = { circuitVerify: (...args: unknown[]) => Promise<{ verified: boolean }> };
const verifierApi = () =>
  (market.coordinator.ctx.verifiers as unknown as { ultrahonk: { api: VerifyApi } }).ultrahonk.api;

test('a crashing verifier blames nobody; the result settles once it works again', async () => {
  const { prisma } = market.coordinator.ctx;
  const api = verifierApi();
  const real = api.circuitVerify;
  api.circuitVerify = async () => {
    throw new Error('simulated verifier crash (WASM trap)');
  };
  const stakeBefore = (await market.chain.as(0).proverInfo((market.chain.wallets[PROVER] as Wallet).address))
    .stake;
  const id = await submitTinyJob(market, 3, REQUESTER);
  await waitFor('the verifier to fail on the result', async () =>
    (await prisma.assignment.findFirst({ where: { jobId: id, verifierBlocked: true } })) ? true : undefined,
  );
  // The result is retried, not judged: wait until the verifier has failed on it again. An honest
  // prover that delivered keeps its attempt while our verifier is down.
  const verifierErrors = async () =>
    (await market.coordinator.ctx.metrics.verifierErrors.get()).values.reduce((sum, v) => sum + v.value, 0);
  await waitFor('the result to be retried', async () => ((await verifierErrors()) >= 2 ? true : undefined));
  const job = await prisma.job.findUniqueOrThrow({ where: { id } });
  assert.notEqual(job.status, 'FAILED_ATTEMPT');
  assert.deepEqual(job.excludedProvers, []);
  const slashes = { jobId: id, kind: 'SLASH_INVALID' as const };
  assert.equal(await prisma.outboxAction.count({ where: slashes }), 0, 'a verifier error is no verdict');
  assert.equal(
    (
      await prisma.prover.findFirstOrThrow({
        where: { address: (market.chain.wallets[PROVER] as Wallet).address.toLowerCase() },
      })
    ).failures,
    0,
  );

  api.circuitVerify = real;
  await waitFor('the retried result to settle the job', async () =>
    (await prisma.job.findUniqueOrThrow({ where: { id } })).status === 'SETTLED' ? true : undefined,
  );
  const stakeAfter = (await market.chain.as(0).proverInfo((market.chain.wallets[PROVER] as Wallet).address))
    .stake;
  assert.equal(stakeAfter, stakeBefore, 'no slash');
  const errors = await market.coordinator.ctx.metrics.verifierErrors.get();
  assert.ok((errors.values[0]?.value ?? 0) >= 1, 'the verifier error is counted for alerting');
});

test('a malformed proof on a working verifier is a clean invalid, not an error', async () => {
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  try {
    const circuit = await prepareCircuit(backend, loadCircuit('tiny_square'));
    const proof = await proveInputs(backend, circuit, { x: '3', y: '9' });
    // Every field 0xff…ff: not even a canonical field element, which makes bb throw.
    const garbage = { ...proof, proof: new Uint8Array(proof.proof.length).fill(0xff) };
    assert.equal(await backend.verify(garbage, circuit.vk), false);
    assert.equal(await backend.verify(proof, circuit.vk), true);
  } finally {
    await backend.destroy();
  }
});
