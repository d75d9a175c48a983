// Nobody but the prover sets its delivery window (review N4), on the real stack: a coordinator
// key that assigns a prover on-chain with its signed bid and never sends the award (a crashed or
// lying coordinator) does not leave it slashable. The agent watches the chain for its own
// assignments and hands back, on-chain and unslashed, one whose award never came.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hexlify, parseEther, randomBytes, type Wallet } from 'ethers';
import { AuctionAudit } from '../../services/shared/chain/auction-audit.js';
import { commitPublicInputs } from '../../services/shared/chain/public-inputs-commitment.js';
import { CoordinatorClient } from '../../services/shared/client/coordinator-client.js';
import { bidDomain, signBid } from '../../services/shared/protocol/bid-signing.js';
import { inputsHash } from '../../services/shared/protocol/canonical-json.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf, waitFor } from '../fixtures/market.js';

const PROVER = 1;
const REQUESTER = 4;
const ROGUE = 9; // a second coordinator-role key, used by hand
let market: MarketFixture;

before(async () => {
  market = await startMarket();
  await stakeProver(market.chain, PROVER);
  await market.startProver(PROVER, { unawardedGraceSeconds: '2' });
});
after(async () => {
  await market?.stop();
});

test('assigned on-chain without an award, the prover hands the attempt back itself: no slash', async () => {
  const { chain } = market;
  const wallet = (i: number) => chain.wallets[i] as Wallet;
  await (await chain.as(0).market.getFunction('setCoordinator')(wallet(ROGUE).address, true)).wait();
  await new AuctionAudit(chain.as(ROGUE)).postBond(wallet(ROGUE).address, parseEther('1'));
  const circuit = await new CoordinatorClient(market.url, uploaderOf(market.chain)).registerCircuit(
    loadCircuit('tiny_square'),
  );
  const items = [{ x: '3', y: '9' }];
  const jobId = hexlify(randomBytes(32)).toLowerCase();
  const now = await chain.now();
  // An escrow the coordinator never hears of: no auction, so no award can ever come.
  await chain.as(REQUESTER).openJob({
    jobId,
    vkHash: circuit.vkHash,
    verifier: circuit.verifier,
    inputsHash: inputsHash(items),
    publicInputsRoot: commitPublicInputs([
      ['0x0000000000000000000000000000000000000000000000000000000000000009'],
    ]).root,
    items: 1,
    deadline: now + 600,
    collateral: parseEther('1'),
    reserve: parseEther('0.05'),
    rule: 'SECOND_PRICE',
  });
  const bid = {
    jobId,
    attempt: 0,
    price: parseEther('0.01'),
    prover: wallet(PROVER).address,
    expiry: now + 60,
    nonce: 77n,
    deliverySeconds: 300,
  };
  const { chainId, market: address } = chain.deployment;
  const signature = await signBid(wallet(PROVER), bidDomain(chainId, address), bid);
  const stake = (await chain.as(0).proverInfo(bid.prover)).stake;
  await chain.as(ROGUE).assign(jobId, { bid, signature });
  assert.equal((await chain.as(0).job(jobId)).status, 'Assigned');
  const reopened = await waitFor('the prover to hand the attempt back on-chain', async () => {
    const job = await chain.as(0).job(jobId);
    return job.status === 'Open' && job.attempt === 1 ? job : undefined;
  });
  assert.equal(reopened.prover, '0x0000000000000000000000000000000000000000');
  const info = await chain.as(0).proverInfo(bid.prover);
  assert.equal(info.stake, stake, 'nothing slashed');
  assert.equal(info.locked, 0n, 'its collateral is released');
  const m = chain.as(0).market;
  const handedBack = await m.queryFilter(m.filters.JobHandedBack?.(jobId) ?? 'JobHandedBack');
  assert.equal(handedBack.length, 1);
});
