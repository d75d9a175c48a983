// Two proof systems in one market, end to end on real parts (Postgres, nats-server, anvil, bb.js
// and snarkjs proofs): a PLONK job (square_plonk, x² = y) and an UltraHonk batch_transfer job,
// auctioned to the same provers at the same time. Only a prover that declares PLONK bids on the PLONK job
// (the coordinator refuses a bid from one that did not);
// both jobs are proved, verified off-chain by the coordinator with the right system, fulfilled
// on-chain through each circuit's own verifier, and paid. A cheat's tampered PLONK proof is
// refused and slashed on the evidence the PLONK verifier checks on-chain. A watchtower re-verifies
// both jobs' proofs from the fulfilment calldata, each in its own system. The market's handling
// does not depend on a circuit's size, so the PLONK jobs here are small: batch_transfer_plonk's
// 2^16 proofs (proved by the CLI, verified off-chain and on-chain) are plonk.test.ts's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseEther, type Wallet } from 'ethers';
import { offerFor, ProverLink } from '../../services/prover/prover-link.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { CoordinatorClient, openAndSubmitJob } from '../../services/shared/client/coordinator-client.js';
import { bidDomain } from '../../services/shared/protocol/bid-signing.js';
import type { BidReply } from '../../services/shared/protocol/messages.js';
import { loadAnyCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { HostileProver } from '../fixtures/hostile-prover.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf, waitFor } from '../fixtures/market.js';
import { devPlonkCircuit } from '../fixtures/plonk.js';

const BOTH = 1;
const ULTRAHONK_ONLY = 2;
const HOSTILE = 3;
const REQUESTER = 4;
const OUTSIDER = 5;
const WATCHER = 6;
let market: MarketFixture;
let client: CoordinatorClient;
const addr = (i: number) => (market.chain.wallets[i] as Wallet).address.toLowerCase();

before(async () => {
  // Made before the market starts: the coordinator and the provers set PLONK keys up from it.
  const plonkCircuit = await devPlonkCircuit('square_plonk');
  market = await startMarket({ coordinator: { auctionWindowMs: '5000' } });
  await stakeProver(market.chain, BOTH);
  await stakeProver(market.chain, ULTRAHONK_ONLY);
  await stakeProver(market.chain, OUTSIDER);
  await market.startProver(BOTH, { proofSystems: 'ultrahonk,plonk' });
  await market.startProver(ULTRAHONK_ONLY, { proofSystems: 'ultrahonk' });
  client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  plonkId = (await client.registerCircuit(plonkCircuit)).id;
});
after(async () => {
  await market?.stop();
});

let plonkId: string;

async function submitBatchJob(circuitName: string, circuitId: string) {
  const batches = await generateBatches(loadAnyCircuit(circuitName), 1, 5);
  const submitted = await openAndSubmitJob(client, market.chain.as(REQUESTER), {
    circuitId,
    items: batches.map((b) => b.inputs as Record<string, unknown>),
    reserve: parseEther('0.05'),
    collateral: parseEther('1'),
    deadlineIn: 900,
  });
  return { jobId: submitted.jobId.toLowerCase(), publicInputs: batches.map((b) => b.publicInputs) };
}

/** A one-item square_plonk job proving x² = y for `x`. */
async function submitSquareJob(x: number) {
  const submitted = await openAndSubmitJob(client, market.chain.as(REQUESTER), {
    circuitId: plonkId,
    items: [{ x: String(x), y: String(x * x) }],
    reserve: parseEther('0.05'),
    collateral: parseEther('1'),
    deadlineIn: 900,
  });
  return { jobId: submitted.jobId.toLowerCase(), publicInputs: [[String(x * x)]] };
}

const settled = (jobId: string) =>
  waitFor(
    `job ${jobId} to end`,
    async () => {
      const j = await client.job(jobId);
      return ['SETTLED', 'EXPIRED', 'CANCELLED'].includes(j.status) ? j : undefined;
    },
    600_000,
  );

test('a PLONK job and an UltraHonk job settle side by side, each proved and paid in its own system', async () => {
  const plonkCircuit = await client.circuit(plonkId);
  assert.equal(plonkCircuit.proofSystem, 'plonk');
  const honk = await client.registerCircuit(loadAnyCircuit('batch_transfer'));
  assert.equal(honk.proofSystem, 'ultrahonk');

  // A prover that declared only UltraHonk has its bid on the PLONK job refused by the coordinator.
  const outsider = await ProverLink.connect({
    natsUrl: market.nats.url,
    coordinatorUrl: market.url,
    wallet: market.chain.wallets[OUTSIDER] as Wallet,
    domain: bidDomain(market.chain.deployment.chainId, market.chain.deployment.market),
  });
  const caps = { name: 'outsider', backend: 'wasm', threads: 1, maxDyadic: 4096, gatesPerSec: 1e6 };
  assert.equal(
    (await outsider.hello({ ...caps, proofSystems: ['ultrahonk'] }, { timeoutMs: 5000 })).ok,
    true,
  );
  const outsiderReplies: Promise<BidReply>[] = [];
  outsider.announcements((a) => {
    if (a.proofSystem === 'plonk')
      outsiderReplies.push(outsider.bid(offerFor(a, parseEther('0.0001'), 600)).then((b) => b.reply));
  });

  // One requester account: its two escrow transactions go one after the other (nonces), and the
  // two jobs are then auctioned and proved at the same time.
  const plonkJob = await submitSquareJob(6);
  const honkJob = await submitBatchJob('batch_transfer', honk.id);
  const [plonkEnd, honkEnd] = await Promise.all([settled(plonkJob.jobId), settled(honkJob.jobId)]);
  const refused = await Promise.all(outsiderReplies);
  await outsider.nc.drain();
  assert.ok(refused.length > 0, 'the PLONK job was announced to the outsider');
  assert.ok(
    refused.every((r) => !r.accepted && r.code === 'UNSUPPORTED_PROOF_SYSTEM'),
    JSON.stringify(refused),
  );
  assert.equal(plonkEnd.status, 'SETTLED', `PLONK job ended ${plonkEnd.status}: ${plonkEnd.failureReason}`);
  assert.equal(honkEnd.status, 'SETTLED', `UltraHonk job ended ${honkEnd.status}: ${honkEnd.failureReason}`);
  // Only the prover that declared PLONK bid on (and won) the PLONK job.
  assert.equal(plonkEnd.winner, addr(BOTH));
  const record = await client.auctions(plonkJob.jobId);
  const bidders = new Set(record.auctions.flatMap((a) => a.bids.map((b) => b.prover.toLowerCase())));
  assert.deepEqual([...bidders], [addr(BOTH)]);

  // Both escrows were fulfilled on-chain: each proof passed its circuit's own verifier there.
  const chain = market.chain.as(REQUESTER);
  for (const job of [plonkJob, honkJob]) {
    assert.equal((await chain.job(job.jobId)).status, 'Settled');
    assert.equal(await chain.market.getFunction('isItemVerified')(job.jobId, 0), true);
  }
  // The served PLONK proof carries exactly the public inputs the requester committed.
  const proofs = await client.proofs(plonkJob.jobId);
  assert.deepEqual(
    proofs.proofs.map((p) => p.publicInputs.map(BigInt)),
    plonkJob.publicInputs.map((pi) => pi.map(BigInt)),
  );

  // A watchtower started afterwards reads both jobs from the chain and re-verifies each job's
  // proofs from the fulfilment calldata in its own system: bb for UltraHonk, snarkjs for PLONK.
  const tower = String((await market.stack.startWatchtowerProcess(WATCHER)).ready.url);
  for (const job of [plonkJob, honkJob]) {
    const [attestation] = await waitFor(
      `the watchtower's attestation of ${job.jobId}`,
      async () => {
        const res = await fetch(`${tower}/v1/attestations/${job.jobId}`);
        return res.ok
          ? ((await res.json()) as { attestations: { proofs: number }[] }).attestations
          : undefined;
      },
      180_000,
    );
    assert.equal(attestation?.proofs, 1, `proofs of ${job.jobId} re-verified and passed`);
  }
});

test('a PLONK upload must name a ptau this coordinator holds, and cannot be a gzip bomb', async () => {
  const square = await devPlonkCircuit('square_plonk');
  const { ptauHash: _ptauHash, ...unset } = square;
  await assert.rejects(client.registerCircuit(unset), { code: 'INVALID_ARTIFACT' });
  await assert.rejects(client.registerCircuit({ ...unset, ptauHash: `0x${'ab'.repeat(32)}` }), {
    code: 'PTAU_MISSING',
  });
  // 64 MiB of zeros gzip to about 64 KiB: refused before it is inflated past the limit.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64');
  await assert.rejects(client.registerCircuit({ ...square, r1cs: bomb }), { code: 'ARTIFACT_TOO_LARGE' });
  const registered = await client.registerCircuit(square);
  assert.equal(registered.proofSystem, 'plonk');
  assert.equal(registered.id, plonkId, 'the same circuit registered again is the same circuit');
});

test('a tampered PLONK proof is refused, slashed on-chain by its own verifier, and the job re-auctioned', async () => {
  await stakeProver(market.chain, HOSTILE);
  const stakeBefore = (await market.chain.as(0).proverInfo(addr(HOSTILE))).stake;
  const cheat = await HostileProver.start(
    market.chain.wallets[HOSTILE] as Wallet,
    { natsUrl: market.nats.url, coordinatorUrl: market.url },
    market.chain.deployment,
    'tamper',
    parseEther('0.0003'),
    600,
  );
  try {
    const job = await submitSquareJob(5);
    const end = await settled(job.jobId);
    assert.equal(end.status, 'SETTLED', `job ended ${end.status}: ${end.failureReason}`);
    const row = await market.coordinator.ctx.prisma.job.findUniqueOrThrow({
      where: { id: job.jobId },
      include: { assignments: { orderBy: { attempt: 'asc' } } },
    });
    assert.deepEqual(
      row.assignments.map((a) => [a.prover, a.status]),
      [
        [addr(HOSTILE), 'FAILED'],
        [addr(BOTH), 'COMPLETED'],
      ],
    );
    // slashInvalid ran the PLONK verifier on-chain over the cheat's signed result.
    assert.ok((await market.chain.as(0).proverInfo(addr(HOSTILE))).stake < stakeBefore);
  } finally {
    await cheat.stop();
  }
});
