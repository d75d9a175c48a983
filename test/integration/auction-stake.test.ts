// A bid is judged against the bidder's free stake when it arrives, but the stake can fall before the
// round closes (the bidder won another job, or asked to unstake). The close checks the winner's free
// stake again: one that can no longer lock the collateral sits the round out and the next bid wins,
// instead of an assignment the chain refuses and an honest prover dropped from the job.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEther, type Wallet } from 'ethers';
import { offerFor, type ProverLink } from '../../services/prover/prover-link.js';
import {
  linkProver,
  type MarketFixture,
  stakeProver,
  startMarket,
  submitTinyJob,
  waitFor,
} from '../fixtures/market.js';

const SHORT_OF_STAKE = 1;
const HONEST = 2;
let market: MarketFixture;
let link: ProverLink;

before(async () => {
  market = await startMarket({ coordinator: { auctionWindowMs: '2500' } });
  await stakeProver(market.chain, SHORT_OF_STAKE, '1');
  await stakeProver(market.chain, HONEST);
  link = await linkProver(market, SHORT_OF_STAKE, { name: 'short-of-stake', gatesPerSec: 100_000 });
  await market.startProver(HONEST, { minPriceWei: parseEther('0.01').toString() });
});
after(async () => {
  await link?.nc.close();
  await market?.stop();
});

test('a winner whose free stake fell below the collateral before the close is passed over, not dropped', async () => {
  const bid = new Promise<void>((resolve, reject) => {
    link.announcements((a) => {
      void (async () => {
        // The cheapest bid, accepted while the prover's 1 ETH covers the 1 ETH collateral…
        const { reply } = await link.bid(offerFor(a, parseEther('0.001')));
        assert.equal(reply.accepted, true, JSON.stringify(reply));
        // …then the stake is asked back before the round closes.
        await market.chain.as(SHORT_OF_STAKE).requestUnstake(parseEther('1'));
        resolve();
      })().catch(reject);
    });
  });
  const jobId = await submitTinyJob(market, 5);
  await bid;
  const { prisma } = market.coordinator.ctx;
  await waitFor(
    'the job to settle',
    async () =>
      (await prisma.job.findUnique({ where: { id: jobId } }))?.status === 'SETTLED' ? true : undefined,
    90_000,
  );
  const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId }, include: { assignments: true } });
  const honest = (market.chain.wallets[HONEST] as Wallet).address.toLowerCase();
  const short = link.address;
  assert.deepEqual(
    job.assignments.map((a) => a.prover),
    [honest],
    'one assignment, to the next bid: none the chain had to refuse',
  );
  assert.ok(!job.excludedProvers.includes(short), 'the passed-over prover is not excluded from the job');
  const refused = await prisma.outboxAction.count({ where: { jobId, kind: 'ASSIGN', status: 'FAILED' } });
  assert.equal(refused, 0, 'no assignment was refused on-chain');
});
