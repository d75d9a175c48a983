// Bad and hostile input against the coordinator's HTTP intake, each answered with a clear error and
// leaving no half-written state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hexlify, randomBytes } from 'ethers';
import { type CoordinatorClient, openAndSubmitJob } from '../services/shared/client/coordinator-client.js';
import { inputsHash } from '../services/shared/protocol/canonical-json.js';
import { loadCircuit } from '../services/shared/proving/circuit-artifact.js';
import {
  expectError,
  jobCount,
  REQUESTER,
  rawPost,
  setUpBadInput,
  tearDownBadInput,
} from './fixtures/bad-input.js';
import type { MarketFixture } from './fixtures/market.js';

let market: MarketFixture;
let client: CoordinatorClient;
let circuitId: string;
let goodItem: Record<string, unknown>;

before(async () => {
  ({ market, client, circuitId, goodItem } = await setUpBadInput());
});
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
    const vkHash = (await client.circuit(circuitId)).vkHash;
    const now = Math.floor(Date.now() / 1000);
    await requester.openJob({
      jobId,
      vkHash,
      inputsHash: inputsHash([{}]),
      deadline: now + 300,
      collateral: 1n,
      reserve: 1000n,
    });
    await expectError(
      client.request('POST', '/v1/jobs', { jobId, circuitId, items: [goodItem] }),
      'ESCROW_MISMATCH',
      /inputsHash/,
    );

    // A deadline too close to auction, prove and settle.
    const late = hexlify(randomBytes(32));
    await requester.openJob({
      jobId: late,
      vkHash,
      inputsHash: inputsHash([goodItem]),
      deadline: now + 3,
      collateral: 1n,
      reserve: 1000n,
    });
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

    const huge = await rawPost(
      '/v1/circuits',
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

    // A real circuit above this coordinator's gate limit (8,000 here) is measured, then refused.
    const big = await rawPost('/v1/circuits', JSON.stringify(loadCircuit('square_chain_14')));
    assert.equal(big.status, 413);
    assert.equal(big.body.error?.code, 'CIRCUIT_TOO_LARGE');
    assert.match(big.body.error?.message ?? '', /at most 8000/);

    const notFound = await fetch(`${market.url}/v1/jobs/0x${'00'.repeat(32)}`);
    assert.equal(notFound.status, 404);
  });
});
