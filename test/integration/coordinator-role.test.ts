// A coordinator whose key lacks the coordinator role: refused at start-up with the address and how
// to grant the role; and when the role is revoked while running, /ready says so and the winners
// whose assignments the chain refuses are neither blamed nor excluded, the job carries the real
// reason, and it settles with the same prover once the role is granted again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Wallet } from 'ethers';
import { devKey } from '../../services/infra/anvil.js';
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

test('a coordinator key without the role is refused at start-up, naming the address and the fix', async () => {
  const stranger = new Wallet(devKey(6)).address;
  await assert.rejects(startMarket({ coordinator: { coordinatorKey: devKey(6) } }), (e: Error) => {
    assert.match(e.message, new RegExp(`${stranger}.*does not hold the coordinator role`));
    assert.match(e.message, /setCoordinator/);
    return true;
  });
});

test('a revoked role: not ready, nobody blamed, the real reason shown, settled once granted again', async () => {
  const { prisma } = market.coordinator.ctx;
  const owner = market.chain.as(0).market;
  const self = (market.chain.wallets[0] as Wallet).address;
  const setRole = async (on: boolean) => (await owner.getFunction('setCoordinator')(self, on)).wait();
  const ready = async () =>
    (await fetch(`${market.url}/ready`)).json() as Promise<{
      ready: boolean;
      checks: Record<string, boolean>;
    }>;
  assert.equal((await ready()).ready, true);

  await setRole(false);
  const notReady = await ready();
  assert.equal(notReady.ready, false);
  assert.equal(notReady.checks.coordinatorRole, false);

  const id = await submitTinyJob(market, 5, REQUESTER);
  const refused = await waitFor('an assignment refused for NotCoordinator', async () => {
    const j = await prisma.job.findUniqueOrThrow({ where: { id } });
    return j.failureReason?.includes('NotCoordinator') ? j : undefined;
  });
  assert.deepEqual(refused.excludedProvers, [], 'the winner is not excluded for our missing role');
  const prover = (market.chain.wallets[PROVER] as Wallet).address.toLowerCase();
  assert.equal((await prisma.prover.findUniqueOrThrow({ where: { address: prover } })).failures, 0);
  assert.equal(
    await prisma.outboxAction.count({ where: { jobId: id, kind: { in: ['SLASH_LATE', 'SLASH_INVALID'] } } }),
    0,
    'no slash queued',
  );

  await setRole(true);
  const settled = await waitFor('the job to settle once the role is back', async () => {
    const j = await prisma.job.findUniqueOrThrow({ where: { id } });
    return j.status === 'SETTLED' ? j : undefined;
  });
  assert.equal(settled.winner, prover);
  assert.equal((await ready()).ready, true);
});
