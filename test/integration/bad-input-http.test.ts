// Bad and hostile input against the coordinator's HTTP intake, each answered with a clear error and
// leaving no half-written state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hexlify, randomBytes, type Wallet } from 'ethers';
import type { OpenJobParams } from '../../services/shared/chain/gavel-contracts.js';
import { commitPublicInputs } from '../../services/shared/chain/public-inputs-commitment.js';
import {
  type CoordinatorClient,
  openAndSubmitJob,
  submitTermsText,
} from '../../services/shared/client/coordinator-client.js';
import type { GavelError } from '../../services/shared/errors.js';
import { inputsHash } from '../../services/shared/protocol/canonical-json.js';
import { signRequest } from '../../services/shared/protocol/request-auth.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { itemPublicInputs } from '../../services/shared/proving/item-public-inputs.js';
import {
  expectError,
  jobCount,
  REQUESTER,
  rawPost,
  setUpBadInput,
  submitGoodJob,
  tearDownBadInput,
} from '../fixtures/bad-input.js';
import type { MarketFixture } from '../fixtures/market.js';
import { sendOversized } from '../fixtures/oversized.js';

let market: MarketFixture;
let client: CoordinatorClient;
let circuitId: string;
let goodItem: Record<string, unknown>;

before(async () => {
  ({ market, client, circuitId, goodItem } = await setUpBadInput());
});

/** Escrow terms committing to `items` exactly as a requester would (to be varied by a test). */
async function escrow(items: Record<string, unknown>[]): Promise<OpenJobParams> {
  const circuit = await client.circuit(circuitId);
  const publicInputs = await itemPublicInputs(await client.artifact(circuitId), items);
  return {
    jobId: hexlify(randomBytes(32)),
    vkHash: circuit.vkHash,
    verifier: circuit.verifier ?? '',
    inputsHash: inputsHash(items),
    publicInputsRoot: commitPublicInputs(publicInputs).root,
    items: items.length,
    deadline: Math.floor(Date.now() / 1000) + 600,
    collateral: 1n,
    reserve: 1000n,
    rule: 'SECOND_PRICE',
  };
}
after(tearDownBadInput);

describe('HTTP intake', () => {
  test('unknown circuit, unfunded and mismatched escrow, past deadline', async () => {
    const requester = market.chain.as(REQUESTER);
    const before = await jobCount();
    const jobId = hexlify(randomBytes(32));
    await expectError(
      client.request('POST', '/v1/jobs', { jobId, circuitId: `0x${'ab'.repeat(32)}`, items: [goodItem] }),
      'UNKNOWN_CIRCUIT',
    );
    await expectError(
      client.request('POST', '/v1/jobs', { jobId, circuitId, items: [goodItem] }),
      'ESCROW_NOT_FOUND',
      /open it with Market.openJob/,
    );

    // Escrow committed to other inputs.
    await requester.openJob({ ...(await escrow([goodItem])), jobId, inputsHash: inputsHash([{}]) });
    await expectError(
      client.request('POST', '/v1/jobs', { jobId, circuitId, items: [goodItem] }),
      'ESCROW_MISMATCH',
      /inputsHash/,
    );

    // Escrow committed to public inputs other than the items imply (a proof would not be paid).
    const other = hexlify(randomBytes(32));
    await requester.openJob({ ...(await escrow([goodItem])), jobId: other, publicInputsRoot: other });
    const terms = submitTermsText({
      jobId: other,
      circuitId,
      rule: 'SECOND_PRICE',
      inputsHash: inputsHash([goodItem]),
      public: false,
    });
    const signature = await signRequest(requester.signer(), 'submit job', terms);
    await expectError(
      client.request('POST', '/v1/jobs', { jobId: other, circuitId, items: [goodItem], signature }),
      'ESCROW_MISMATCH',
      /public inputs/,
    );

    // A deadline too close to auction, prove and settle.
    const late = hexlify(randomBytes(32));
    const lateTerms = await escrow([goodItem]);
    await requester.openJob({ ...lateTerms, jobId: late, deadline: Math.floor(Date.now() / 1000) + 3 });
    await expectError(
      client.request('POST', '/v1/jobs', { jobId: late, circuitId, items: [goodItem] }),
      'PAST_DEADLINE',
      /leaves no time/,
    );
    assert.equal(await jobCount(), before, 'no job stored for refused submissions');
  });

  test('inputs that miss the ABI or break the circuit are refused before auction', async () => {
    const requester = market.chain.as(REQUESTER);
    const before = await jobCount();
    const wrongType = { ...goodItem, old_root: 'not a number' };
    await expectError(
      openAndSubmitJob(client, requester, {
        circuitId,
        items: [goodItem, wrongType],
        reserve: 1000n,
        collateral: 1n,
        deadlineIn: 300,
      }),
      'INVALID_INPUTS',
      /batch item 1: inputs do not match the circuit: old_root: expected a field element/,
    );
    const overdraft = structuredClone(goodItem) as { transfers: { amount: string }[] };
    (overdraft.transfers[0] as { amount: string }).amount = '0x63'; // 99 > the sender's 100 - but roots no longer match
    await expectError(
      openAndSubmitJob(client, requester, {
        circuitId,
        items: [overdraft],
        reserve: 1000n,
        collateral: 1n,
        deadlineIn: 300,
      }),
      'UNSATISFIED_CIRCUIT',
      /batch item 0: inputs do not satisfy circuit batch_transfer/,
    );
    assert.equal(await jobCount(), before);
  });

  test('malformed JSON, schema violations and oversized uploads get a 4xx with a message', async () => {
    const malformed = await rawPost('/v1/jobs', '{"jobId": ');
    assert.equal(malformed.status, 400);
    assert.ok(malformed.body.error?.message);

    const schema = await rawPost('/v1/jobs', JSON.stringify({ jobId: 'x', circuitId, items: [] }));
    assert.equal(schema.status, 400);
    assert.match(schema.body.error?.message ?? '', /jobId/);

    const huge = await sendOversized(
      `${market.url}/v1/circuits`,
      'POST',
      JSON.stringify({ bytecode: 'A'.repeat(400_000), abi: { parameters: [] } }),
    );
    assert.equal(huge.status, 413);
    assert.ok(huge.body.error?.message);

    const badArtifact = await rawPost(
      '/v1/circuits',
      JSON.stringify({ bytecode: 'bm90IGd6aXA=', abi: { parameters: [] } }),
    );
    assert.equal(badArtifact.status, 400);
    assert.match(badArtifact.body.error?.message ?? '', /not base64 of gzip-compressed ACIR/);

    // A gzip bomb: 64 MiB of zeros in a 64 KiB upload is stopped at the decompression cap.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64');
    const bombed = await rawPost('/v1/circuits', JSON.stringify({ bytecode: bomb, abi: { parameters: [] } }));
    assert.equal(bombed.status, 413);
    assert.equal(bombed.body.error?.code, 'ARTIFACT_TOO_LARGE');

    // A real circuit, unsigned: refused before anything is measured.
    const unsigned = await rawPost('/v1/circuits', JSON.stringify(loadCircuit('square_chain_14')));
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.body.error?.code, 'MISSING_SIGNATURE');

    // Signed, above this coordinator's gate limit (8,000 here): measured, then refused.
    const big = await client.registerCircuit(loadCircuit('square_chain_14')).then(
      () => assert.fail('a circuit above the gate limit was registered'),
      (e: GavelError) => e,
    );
    assert.equal(big.code, 'CIRCUIT_TOO_LARGE');
    assert.match(big.message, /at most 8000/);

    const notFound = await fetch(`${market.url}/v1/jobs/0x${'00'.repeat(32)}`);
    assert.equal(notFound.status, 404);
  });
});

describe('who may do what', () => {
  test('nobody but the requester can submit its escrowed job, and not with other terms', async () => {
    const requester = market.chain.as(REQUESTER);
    const jobId = hexlify(randomBytes(32));
    const hash = inputsHash([goodItem]);
    await requester.openJob({ ...(await escrow([goodItem])), jobId, rule: 'FIRST_PRICE' });
    const body = { jobId, circuitId, items: [goodItem], rule: 'FIRST_PRICE', public: true };
    await expectError(client.request('POST', '/v1/jobs', body), 'MISSING_SIGNATURE');
    const intruder = market.chain.wallets[6] as Wallet;
    const terms = submitTermsText({ jobId, circuitId, rule: 'FIRST_PRICE', inputsHash: hash, public: true });
    const forged = await signRequest(intruder, 'submit job', terms);
    await expectError(client.request('POST', '/v1/jobs', { ...body, signature: forged }), 'NOT_REQUESTER');
    // The requester's own signature of other terms than it posts does not pass either.
    const mine = await signRequest(requester.signer(), 'submit job', { ...terms, rule: 'SECOND_PRICE' });
    await expectError(client.request('POST', '/v1/jobs', { ...body, signature: mine }), 'NOT_REQUESTER');
    const ok = await client.request<{ status: string }>('POST', '/v1/jobs', {
      ...body,
      signature: await signRequest(requester.signer(), 'submit job', terms),
    });
    assert.equal(ok.status, 'AUCTIONING');
  });

  test('private inputs are served to the requester only (and the assigned prover); public ones to anyone', async () => {
    const { jobId } = await submitGoodJob();
    const id = jobId.toLowerCase();
    const read = async (signer?: Wallet) => {
      const at = Date.now();
      const headers: Record<string, string> = {};
      if (signer) {
        headers['x-gavel-at'] = String(at);
        headers['x-gavel-signature'] = await signRequest(signer, 'read inputs', { job: id, at });
      }
      const res = await fetch(`${market.url}/v1/jobs/${id}/inputs`, { headers });
      return {
        status: res.status,
        body: (await res.json()) as { items?: unknown[]; error?: { code: string } },
      };
    };
    const anonymous = await read();
    assert.equal(anonymous.status, 401);
    const stranger = await read(market.chain.wallets[6] as Wallet);
    assert.equal(stranger.status, 403);
    assert.equal(stranger.body.error?.code, 'NOT_ASSIGNED');
    const own = await read(market.chain.wallets[REQUESTER] as Wallet);
    assert.equal(own.status, 200);
    assert.equal(own.body.items?.length, 1);

    const open = await openAndSubmitJob(client, market.chain.as(REQUESTER), {
      circuitId,
      items: [goodItem],
      reserve: 1000n,
      collateral: 1n,
      deadlineIn: 600,
      public: true,
    });
    const res = await fetch(`${market.url}/v1/jobs/${open.jobId.toLowerCase()}/inputs`);
    assert.equal(res.status, 200);
  });

  test('only the requester may tell the coordinator its job is cancelled', async () => {
    const { jobId } = await submitGoodJob();
    const at = Date.now();
    const other = await signRequest(market.chain.wallets[6] as Wallet, 'cancel job', {
      job: jobId.toLowerCase(),
      at,
    });
    await expectError(
      client.request('POST', `/v1/jobs/${jobId}/cancel`, { at, signature: other }),
      'NOT_REQUESTER',
    );
    await expectError(client.request('POST', `/v1/jobs/${jobId}/cancel`, {}), 'BAD_REQUEST');
  });
});
