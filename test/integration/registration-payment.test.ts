// Review N5: a circuit registration never spends the coordinator's ETH unasked. Every registration
// is signed by its uploader; the coordinator deploys a new verifier only for uploaders it sponsors
// (a local stack's development accounts). Anyone else deploys and registers the verifier at its own
// cost and names it, and the coordinator checks it is exactly the verifier the circuit's VK builds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type HDNodeWallet, parseEther, Wallet } from 'ethers';
import type { GavelContracts } from '../../services/shared/chain/gavel-contracts.js';
import { registerAsUploader } from '../../services/shared/client/circuit-upload.js';
import { CoordinatorClient } from '../../services/shared/client/coordinator-client.js';
import { GavelError } from '../../services/shared/errors.js';
import { REGISTER_ACTION, registrationFields } from '../../services/shared/protocol/circuit-registration.js';
import { signRequest } from '../../services/shared/protocol/request-auth.js';
import { anyContentId, loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { type MarketFixture, startMarket, uploaderOf } from '../fixtures/market.js';

let market: MarketFixture;
let stranger: HDNodeWallet;
let strangerChain: GavelContracts;
let coordinatorAddress: string;

before(async () => {
  market = await startMarket();
  // An uploader the coordinator does not sponsor: not one of the local chain's accounts.
  stranger = Wallet.createRandom().connect(market.chain.provider);
  const funding = await market.chain.wallets[9]?.sendTransaction({
    to: stranger.address,
    value: parseEther('10'),
  });
  await funding?.wait();
  strangerChain = market.chain.as(9).connect(stranger);
  coordinatorAddress = await market.coordinator.ctx.chain.signer().getAddress();
});
after(async () => {
  await market?.stop();
});

const coordinatorNonce = () => market.chain.provider.getTransactionCount(coordinatorAddress);

/** A POST /v1/circuits of `artifact` with the given headers and query, its status and error code. */
async function post(artifact: unknown, headers: Record<string, string>, query = '') {
  const res = await fetch(`${market.url}/v1/circuits${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(artifact),
  });
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code, message: body.error?.message };
}

async function rejection(p: Promise<unknown>): Promise<GavelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof GavelError, `expected a refusal, got ${String(err)}`);
  return err;
}

test('an unsigned or stale registration is refused, and deploys nothing', async () => {
  const artifact = loadCircuit('tiny_square');
  const nonce = await coordinatorNonce();
  const unsigned = await post(artifact, {});
  assert.deepEqual([unsigned.status, unsigned.code], [401, 'MISSING_SIGNATURE']);

  const at = Date.now() - 10 * 60_000;
  const fields = registrationFields({ circuit: anyContentId(artifact), at });
  const signature = await signRequest(stranger, REGISTER_ACTION, fields);
  const stale = await post(artifact, { 'x-gavel-at': String(at), 'x-gavel-signature': signature });
  assert.deepEqual([stale.status, stale.code], [401, 'STALE_REQUEST']);
  assert.equal(await coordinatorNonce(), nonce, 'the coordinator sent no transaction');
});

test("an unsponsored uploader pays for its circuit's verifier; the coordinator pays nothing", async () => {
  const artifact = loadCircuit('tiny_square');
  const client = new CoordinatorClient(market.url, stranger);
  const nonce = await coordinatorNonce();
  const refused = await rejection(client.registerCircuit(artifact));
  assert.equal(refused.code, 'VERIFIER_NOT_PAID');
  assert.match(refused.message, /deploy and register the optimized verifier yourself/);

  const strangerNonce = await market.chain.provider.getTransactionCount(stranger.address);
  const registered = await registerAsUploader(client, strangerChain, artifact);
  assert.equal(registered.verifierPaidBy, 'uploader');
  assert.equal(registered.verifierKind, 'optimized');
  assert.equal(await coordinatorNonce(), nonce, 'the coordinator sent no transaction');
  assert.ok(
    (await market.chain.provider.getTransactionCount(stranger.address)) >= strangerNonce + 2,
    'the uploader deployed and registered the verifier',
  );
  assert.deepEqual(await market.chain.as(0).verifierKinds(registered.vkHash, registered.verifier), [
    'optimized',
  ]);

  // The same program again, from anyone: its verifier is known, so nobody pays anything.
  const again = await new CoordinatorClient(market.url, Wallet.createRandom()).registerCircuit(artifact);
  assert.deepEqual(
    [again.id, again.verifier, again.verifierPaidBy],
    [registered.id, registered.verifier, null],
  );
  assert.equal(await coordinatorNonce(), nonce);
});

test("a named verifier must be registered for the circuit's key and be the one its VK builds", async () => {
  const client = new CoordinatorClient(market.url, stranger);
  const tiny = await client.registerCircuit(loadCircuit('tiny_square'));
  const nonce = await coordinatorNonce();

  // tiny_square's verifier, named for signed_ints, whose key it is not registered for.
  const signedInts = loadCircuit('signed_ints');
  const notRegistered = await rejection(client.registerCircuit(signedInts, { deployed: tiny.verifier }));
  assert.equal(notRegistered.code, 'VERIFIER_NOT_REGISTERED');

  // Claimed in the registry for signed_ints' key (anyone may claim): the code is still another VK's.
  const unpaid = await rejection(client.registerCircuit(signedInts));
  const vkHash = String(unpaid.details?.vkHash);
  await strangerChain.registerVerifier(vkHash, tiny.verifier, 'optimized');
  const mismatch = await rejection(client.registerCircuit(signedInts, { deployed: tiny.verifier }));
  assert.equal(mismatch.code, 'UPLOADED_VERIFIER_MISMATCH');
  assert.equal(await coordinatorNonce(), nonce, 'the coordinator sent no transaction');
});

test("a sponsored uploader's new verifier is deployed by the coordinator", async () => {
  const nonce = await coordinatorNonce();
  const client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  const registered = await client.registerCircuit(loadCircuit('square_chain_10'));
  assert.equal(registered.verifierPaidBy, 'coordinator');
  assert.ok((await coordinatorNonce()) > nonce, 'the coordinator deployed it');
});
