// Review N6: a flood of challenges against an honest coordinator is answered in batches. Every
// receipt of the bids that lost two auctions is challenged in one block; the coordinator answers
// them all in one transaction (AuctionAudit.answerMany), each challenger's deposit pays it, and its
// bond stays whole.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Wallet } from 'ethers';
import { offerFor, type ProverLink } from '../../services/prover/prover-link.js';
import { AuctionAudit } from '../../services/shared/chain/auction-audit.js';
import type { BidReply, BidRequest } from '../../services/shared/protocol/messages.js';
import {
  linkProver,
  type MarketFixture,
  stakeProver,
  startMarket,
  submitTinyJob,
  waitFor,
} from '../fixtures/market.js';

const AGENT = 1;
const BIDDERS = [2, 3];
const CHALLENGERS = [5, 6, 7, 8];
let market: MarketFixture;
const links: ProverLink[] = [];

before(async () => {
  market = await startMarket();
  for (const p of [AGENT, ...BIDDERS]) await stakeProver(market.chain, p);
});
after(async () => {
  for (const l of links) await l.nc.close();
  await market?.stop();
});

test('challenges mined in one block are answered in one transaction; the bond stays whole', async () => {
  await market.startProver(AGENT);
  // Test-driven bidders bid at the reserve: they lose to the agent and keep their receipts.
  const bids: { request: BidRequest; reply: BidReply }[] = [];
  for (const p of BIDDERS) {
    const link = await linkProver(market, p, { name: `bidder-${p}`, gatesPerSec: 100_000 });
    links.push(link);
    link.announcements((a) => {
      void link.bid(offerFor(a, BigInt(a.reserveWei))).then((r) => bids.push(r));
    });
  }
  // One job at a time: the agent is free for each, so it wins each.
  const jobs: string[] = [];
  const { prisma } = market.coordinator.ctx;
  for (const x of [3, 4]) {
    const jobId = await submitTinyJob(market, x);
    jobs.push(jobId);
    await waitFor(
      'the job to settle',
      async () =>
        (await prisma.job.findUnique({ where: { id: jobId } }))?.status === 'SETTLED' ? true : undefined,
      120_000,
    );
  }
  const held = bids.filter((b) => b.reply.receipt && jobs.includes(b.request.bid.jobId.toLowerCase()));
  assert.equal(held.length, CHALLENGERS.length, 'each bidder holds a receipt for each job');

  const audit = new AuctionAudit(market.chain.as(0));
  const deposit = (await market.chain.as(0).audit.getFunction('challengeDeposit')()) as bigint;
  const coordinator = (market.chain.wallets[0] as Wallet).address;
  const claimableBefore = await audit.claimable(coordinator);
  const bondBefore = await audit.bondOf(coordinator);
  // Every challenge in one block: sent with mining off (no automining, no 1 s blocks), then mined.
  await market.chain.provider.send('evm_setIntervalMining', [0]);
  await market.chain.provider.send('evm_setAutomine', [false]);
  try {
    for (const [i, h] of held.entries()) {
      const challenger = market.chain.as(CHALLENGERS[i] as number).audit;
      const bid = {
        ...h.request.bid,
        price: BigInt(h.request.bid.price),
        nonce: BigInt(h.request.bid.nonce),
      };
      await challenger.getFunction('challenge')(bid, h.request.signature, h.reply.receipt?.signature, {
        value: deposit,
      });
    }
    await market.chain.provider.send('evm_mine', []);
  } finally {
    await market.chain.provider.send('evm_setAutomine', [true]);
    await market.chain.provider.send('evm_setIntervalMining', [1]);
  }
  const digests = held.map((h) => h.reply.receipt?.bidDigest as string);
  await waitFor('the coordinator to answer every challenge', async () => {
    for (const d of digests) if ((await audit.challengeOf(d))?.open !== false) return undefined;
    return true;
  });
  const logs = await market.chain.provider.getLogs({ address: market.chain.deployment.audit, fromBlock: 0 });
  const answers = logs.filter((l) => {
    const [e] = audit.events([l]);
    return e?.name === 'ChallengeAnswered' && digests.includes(String(e.args.bidDigest));
  });
  const txs = new Set(answers.map((l) => l.transactionHash));
  const challengedIn = new Set(
    logs.filter((l) => audit.events([l])[0]?.name === 'Challenged').map((l) => l.blockNumber),
  );
  assert.equal(challengedIn.size, 1, 'every challenge was mined in one block');
  assert.equal(answers.length, digests.length);
  assert.equal(txs.size, 1, `${digests.length} challenges answered in ${txs.size} transactions`);
  assert.equal(await audit.bondOf(coordinator), bondBefore, 'the honest bond is whole');
  assert.equal(
    (await audit.claimable(coordinator)) - claimableBefore,
    deposit * BigInt(digests.length),
    "every groundless challenge's deposit pays the coordinator that answered it",
  );
});
