// The watchtower's book of deadlines, on a real anvil: the Market emits events that are not about a
// job (Claimed when anyone withdraws a payment, CoordinatorSet); the book must read past them. It
// once took Claimed's address for a job id, failed every round from then on and enforced nothing
// again, so one requester claiming a refund froze every watchtower.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hexlify, keccak256, parseEther, randomBytes, toUtf8Bytes } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { DeadlineBook } from '../../services/watchtower/deadlines/deadline-book.js';

const VK_HASH = keccak256(toUtf8Bytes('book-vk'));
let chain: Chain;

before(async () => {
  chain = await startChain();
  await chain.as(0).registerVerifier(VK_HASH, chain.deployment.staking); // any code will do here
});
after(async () => {
  await chain?.stop();
});

async function openJob(requester: number, ttl: number): Promise<string> {
  const jobId = hexlify(randomBytes(32));
  await chain.as(requester).openJob({
    jobId,
    vkHash: VK_HASH,
    verifier: chain.deployment.staking,
    inputsHash: hexlify(randomBytes(32)),
    publicInputsRoot: hexlify(randomBytes(32)),
    items: 1,
    deadline: (await chain.now()) + ttl,
    collateral: parseEther('0.1'),
    reserve: parseEther('0.01'),
    rule: 'SECOND_PRICE',
  });
  return jobId;
}

test('a Claimed event between job events does not stop the book: later deadlines are still due', async () => {
  const book = new DeadlineBook(chain.as(7), chain.deployment.blockNumber);
  const refunded = await openJob(4, 5);
  await chain.advance(6);
  await chain.as(5).expire(refunded);
  await chain.as(4).claimMarket(); // the Market emits Claimed(requester, refund)
  const later = await openJob(4, 100);
  await book.refresh();
  assert.equal(book.size, 1, 'the open job is watched; the expired one is not');
  await chain.advance(101);
  assert.deepEqual(book.due(await chain.now()), [{ jobId: later.toLowerCase(), action: 'expire' }]);
});
