// End to end on real NATS, Postgres, anvil and bb.js: three provers at different prices compete for
// one batch_transfer job of two batch items; the cheapest wins at the second price, its proofs
// verify, and on-chain balances move exactly as the rule says.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEther, type Wallet } from 'ethers';
import { AccountTree } from '../../services/shared/circuits/account-tree.js';
import {
  batchShape,
  buildBatch,
  fundAccounts,
  randomTransfers,
  seededRandom,
} from '../../services/shared/circuits/batch-transfer-inputs.js';
import { Poseidon2 } from '../../services/shared/circuits/poseidon2.js';
import { CoordinatorClient, openAndSubmitJob } from '../../services/shared/client/coordinator-client.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit, verifyProof } from '../../services/shared/proving/circuit-prover.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf, waitFor } from '../fixtures/market.js';

let market: MarketFixture;
const REQUESTER = 4;
const PRICES = { 1: '0.01', 2: '0.02', 3: '0.03' } as const;

before(async () => {
  // A 5 s round: all three must bid in the same round (each has prepared the circuit on its
  // notice, checked in the test; a prover that missed the notice prepares it inside the window).
  market = await startMarket({ coordinator: { auctionWindowMs: '5000' } });
  for (const i of [1, 2, 3] as const) {
    await stakeProver(market.chain, i);
    await market.startProver(i, { minPriceWei: parseEther(PRICES[i]).toString(), pricePerGateWei: '0' });
  }
});
after(async () => {
  await market?.stop();
});

/** Two consecutive valid batches over one account tree. */
async function twoBatches() {
  const artifact = loadCircuit('batch_transfer');
  const shape = batchShape(artifact);
  const hasher = await Poseidon2.create();
  const tree = new AccountTree(shape.depth, hasher);
  fundAccounts(tree, 10, 1_000n);
  const rnd = seededRandom(42);
  return [0, 1].map(() => buildBatch(tree, hasher, shape, randomTransfers(tree, shape.batchSize, 10, rnd)));
}

test('three provers bid, the cheapest wins at the second price, proofs verify, money moves exactly', async () => {
  const client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  const circuit = await client.registerCircuit(loadCircuit('batch_transfer'));
  assert.equal(circuit.created, true);
  assert.equal(circuit.dyadic, 4096);
  // Noticed at registration, every prover builds the VK and checks the registered verifier before
  // any job of the circuit exists, so its first bid is not spent doing it inside the window.
  await waitFor('every prover to prepare the noticed circuit', async () => {
    const counts = await Promise.all(
      market.provers.map(async (p) => (await p.metrics.circuitsPrepared.get()).values),
    );
    const ok = counts.map((v) => v.find((x) => x.labels.verdict === 'ok')?.value ?? 0);
    return ok.length === 3 && ok.every((n) => n === 1) ? true : undefined;
  });

  const batches = await twoBatches();
  const requester = market.chain.as(REQUESTER);
  const addr = (i: number) => (market.chain.wallets[i] as Wallet).address;
  const before = {
    prover: await requester.marketClaimable(addr(1)),
    requester: await requester.marketClaimable(addr(REQUESTER)),
  };

  const submitted = await openAndSubmitJob(client, requester, {
    circuitId: circuit.id,
    items: batches.map((b) => b.inputs),
    reserve: parseEther('0.05'),
    collateral: parseEther('1'),
    deadlineIn: 300,
  });
  assert.equal(submitted.status, 'AUCTIONING');

  const settled = await waitFor(
    'job to settle',
    async () => {
      const j = await client.job(submitted.jobId);
      return ['SETTLED', 'EXPIRED', 'CANCELLED'].includes(j.status) ? j : undefined;
    },
    120_000,
  );
  assert.equal(settled.status, 'SETTLED', `job ended ${settled.status}: ${settled.failureReason}`);
  assert.equal(settled.winner, addr(1).toLowerCase());
  assert.equal(settled.clearingPriceWei, parseEther('0.02').toString());
  assert.deepEqual(
    settled.events.map((e) => e.to),
    ['OPEN', 'AUCTIONING', 'ASSIGNED', 'PROVING', 'VERIFYING', 'SETTLED'],
  );

  // On-chain: the winner is owed the clearing price, the requester the rest of the reserve.
  const onChain = await requester.job(submitted.jobId);
  assert.equal(onChain.status, 'Settled');
  assert.equal((await requester.marketClaimable(addr(1))) - before.prover, parseEther('0.02'));
  assert.equal((await requester.marketClaimable(addr(REQUESTER))) - before.requester, parseEther('0.03'));
  assert.equal((await requester.proverInfo(addr(1))).locked, 0n);

  // The prover fulfilled itself, at its own gas (the default path): the coordinator's ETH paid for
  // the assignment and nothing of the fulfilment (review N5).
  const market_ = requester.market;
  const verified = await market_.queryFilter(
    market_.filters.ItemsVerified?.(submitted.jobId) ?? 'ItemsVerified',
  );
  assert.ok(verified.length > 0);
  const senders = await Promise.all(verified.map(async (e) => (await e.getTransaction()).from.toLowerCase()));
  assert.deepEqual([...new Set(senders)], [addr(1).toLowerCase()], 'the winner sent every fulfilment');

  // The auction record reveals all three bids, each with a valid signature.
  const record = await client.auctions(submitted.jobId);
  const awarded = record.auctions.find((a) => a.status === 'AWARDED');
  assert.ok(awarded);
  assert.equal(awarded.bids.length, 3);
  assert.ok(awarded.bids.every((b) => b.signatureValid));
  assert.deepEqual(
    awarded.bids.map((b) => b.priceWei).sort(),
    Object.values(PRICES)
      .map((p) => parseEther(p).toString())
      .sort(),
  );

  // The served proofs verify independently, with exactly the public inputs the batches imply.
  const proofs = await client.proofs(submitted.jobId);
  assert.equal(proofs.proofs.length, 2);
  const backend = await BbBackend.create({ kind: 'wasm' });
  try {
    const prepared = await prepareCircuit(backend, loadCircuit('batch_transfer'));
    assert.equal(Buffer.from(prepared.vk).toString('base64'), proofs.vk);
    for (const p of proofs.proofs) {
      const proof = { proof: new Uint8Array(Buffer.from(p.proof, 'base64')), publicInputs: p.publicInputs };
      assert.equal(await verifyProof(backend, prepared, proof, batches[p.item]?.publicInputs), true);
    }
  } finally {
    await backend.destroy();
  }
});
