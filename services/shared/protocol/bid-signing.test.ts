import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyTypedData, Wallet } from 'ethers';
import { BID_TYPES, bidDomain, recoverBidSigner, signBid } from './bid-signing.js';

test('recoverBidSigner agrees with ethers, binds the domain, and rejects malformed signatures', async () => {
  const wallet = Wallet.createRandom();
  const domain = bidDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
  const bid = {
    jobId: `0x${'ab'.repeat(32)}`,
    attempt: 2,
    price: 10n ** 15n,
    prover: wallet.address,
    expiry: 2_000_000_000,
    nonce: 7n,
    deliverySeconds: 300,
  };
  const signature = await signBid(wallet, domain, bid);
  assert.equal(recoverBidSigner(domain, bid, signature), wallet.address);
  assert.equal(recoverBidSigner(domain, bid, signature), verifyTypedData(domain, BID_TYPES, bid, signature));
  const otherMarket = bidDomain(31337, '0x0000000000000000000000000000000000000001');
  assert.notEqual(recoverBidSigner(otherMarket, bid, signature), wallet.address);
  assert.notEqual(recoverBidSigner(domain, { ...bid, price: bid.price + 1n }, signature), wallet.address);
  assert.notEqual(recoverBidSigner(domain, { ...bid, deliverySeconds: 301 }, signature), wallet.address);
  assert.equal(recoverBidSigner(domain, bid, '0x1234'), undefined);
});
