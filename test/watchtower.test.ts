// A watchtower (`gavel watch`, a real process with no coordinator credentials) enforces deadlines
// the chain knows for the slash bounty. With the coordinator SIGKILLed for good — one job held by
// a silent winner, one escrow it never saw — no escrow and no collateral stays locked past its
// deadline while one watchtower runs; the coordinator's dashboard, once back, shows who did it.
// It audits every auction: an honest coordinator's auctions pass and a challenge of one of its
// receipts is answered (its bond stays); a lying coordinator that hides a lower bid, assigns the
// wrong winner and price, or withholds its transcript is caught, and its bond taken on-chain.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContractFactory, formatEther, hexlify, parseEther, randomBytes, type Wallet } from 'ethers';
import { AuctionAudit } from '../services/shared/chain/auction-audit.js';
import { contractArtifact } from '../services/shared/chain/contract-artifacts.js';
import { commitPublicInputs } from '../services/shared/chain/public-inputs-commitment.js';
import { generateBatches } from '../services/shared/circuits/batch-transfer-inputs.js';
import {
  attestationDomain,
  attestationSigner,
  type SignedAttestation,
} from '../services/shared/protocol/attestation.js';
import { inputsHash } from '../services/shared/protocol/canonical-json.js';
import type { BidReply, BidRequest } from '../services/shared/protocol/messages.js';
import { offerFor } from '../services/shared/protocol/prover-link.js';
import { loadCircuit } from '../services/shared/proving/circuit-artifact.js';
import { itemPublicInputs } from '../services/shared/proving/item-public-inputs.js';
import { HostileProver } from './fixtures/hostile-prover.js';
import { type Lie, LyingCoordinator } from './fixtures/lying-coordinator.js';
import { linkProver, waitFor } from './fixtures/market.js';
import { type ProcessMarket, startProcessMarket, waitForTerminal } from './fixtures/process-market.js';

const SILENT = 5;
const WATCHER = 7;
const REQUESTER = 8;
let m: ProcessMarket;
let silent: HostileProver | undefined;

const address = (i: number) => (m.chain.wallets[i] as Wallet).address;

describe('with the coordinator dead for good', () => {
  before(async () => {
    m = await startProcessMarket({}, { stakedProvers: [SILENT] });
  });
  after(async () => {
    await silent?.stop();
    await m?.stop();
  });

  test('with the coordinator dead for good, one watchtower unlocks every escrow and collateral after its deadline, for the bounty', async () => {
    const artifact = loadCircuit('batch_transfer');
    const circuit = await m.client.registerCircuit(artifact);
    silent = await HostileProver.start(
      m.chain.wallets[SILENT] as Wallet,
      { natsUrl: m.nats.url, coordinatorUrl: m.url },
      m.chain.deployment,
      'silent',
      parseEther('0.001'),
    );
    const items = (await generateBatches(artifact, 1, 41)).map((b) => b.inputs);
    const held = await m.submit({ circuitId: circuit.id, items, deadlineIn: 40, requester: REQUESTER });
    const chain = m.chain.as(0);
    await waitFor('the silent prover to hold the job on-chain', async () =>
      (await chain.job(held)).status === 'Assigned' ? true : undefined,
    );
    await m.coordinator.stop('SIGKILL');

    // An escrow the coordinator never saw (opened after it died).
    const orphan = hexlify(randomBytes(32));
    const publicInputs = await itemPublicInputs(artifact, items);
    await m.chain.as(REQUESTER).openJob({
      jobId: orphan,
      vkHash: circuit.vkHash,
      verifier: circuit.verifier,
      inputsHash: inputsHash(items),
      publicInputsRoot: commitPublicInputs(publicInputs).root,
      items: 1,
      deadline: Math.floor(Date.now() / 1000) + 10,
      collateral: parseEther('1'),
      reserve: parseEther('0.02'),
      rule: 'SECOND_PRICE',
    });

    const stakingBefore = (await chain.proverInfo(address(WATCHER))).claimable;
    await m.stack.startWatchtowerProcess(WATCHER);
    for (const jobId of [held, orphan])
      await waitFor(
        `job ${jobId.slice(0, 10)} to end on-chain`,
        async () => (['Expired', 'Settled'].includes((await chain.job(jobId)).status) ? true : undefined),
        120_000,
      );

    assert.equal((await chain.job(held)).status, 'Expired');
    assert.equal((await chain.job(orphan)).status, 'Expired');
    assert.equal(await chain.market.getFunction('totalEscrow')(), 0n, 'no escrow stays locked');
    assert.equal((await chain.proverInfo(address(SILENT))).locked, 0n, 'no collateral stays locked');
    // The silent prover was slashed once (after its own 8 s delivery time), by the watchtower,
    // whose bounty is 10% of the 1 ETH collateral.
    const bounty = (await chain.proverInfo(address(WATCHER))).claimable - stakingBefore;
    assert.equal(bounty, parseEther('0.1'));
    const logs = await m.chain.provider.getLogs({ address: m.chain.deployment.staking, fromBlock: 0 });
    const slashes = logs
      .map((l) => chain.staking.interface.parseLog(l))
      .filter((e) => e?.name === 'Slashed')
      .map((e) => String(e?.args.slasher).toLowerCase());
    assert.deepEqual(slashes, [address(WATCHER).toLowerCase()]);
    const refunds = await chain.marketClaimable(address(REQUESTER));
    assert.equal(refunds, parseEther('0.05') + parseEther('0.02'), 'both escrows refunded to the requester');

    // Back up, the coordinator's dashboard shows who enforced what, read from the chain.
    await m.startCoordinator();
    type Enforced = { jobId: string; action: string; by: string };
    const shown = await waitFor('the dashboard to show the enforcements', async () => {
      const snapshot = (await (await fetch(`${m.url}/v1/market`)).json()) as { enforcements: Enforced[] };
      return snapshot.enforcements.length >= 3 ? snapshot.enforcements : undefined;
    });
    const watcher = address(WATCHER).toLowerCase();
    assert.ok(shown.some((e) => e.action === 'slash' && e.jobId === held.toLowerCase() && e.by === watcher));
    assert.ok(
      shown.some((e) => e.action === 'expire' && e.jobId === orphan.toLowerCase() && e.by === watcher),
    );
  });
});

describe('auction audits', () => {
  const HONEST_PROVERS = [1, 2];
  const BIDDERS = [3, 4, 5];
  const TOWER = 6;
  const LIAR_TOWER = 9;
  const LIARS = [10, 11, 12];
  const BOND = parseEther('2');
  const liars: LyingCoordinator[] = [];
  let tower: string;

  before(async () => {
    m = await startProcessMarket(
      {},
      {
        accounts: 15,
        stakedProvers: [...HONEST_PROVERS, ...BIDDERS],
        chain: { coordinatorBondWei: BOND, answerWindowSeconds: 4 },
      },
    );
    tower = String((await m.stack.startWatchtowerProcess(TOWER)).ready.url);
    for (const p of HONEST_PROVERS) await m.startProver(p);
  });
  after(async () => {
    for (const l of liars) await l.stop();
    await m?.stop();
  });

  test("an honest coordinator's auctions pass, and a challenge of its receipt is answered", async () => {
    const tiny = loadCircuit('tiny_square');
    const circuitId = (await m.client.registerCircuit(tiny)).id;
    // A test-driven bidder gets a receipt for a bid that loses (priced at the reserve).
    const link = await linkProver(m, BIDDERS[0] as number, { name: 'receipt-holder', gatesPerSec: 100_000 });
    const receipts: { request: BidRequest; reply: BidReply }[] = [];
    link.announcements((a) => {
      void link.bid(offerFor(a, BigInt(a.reserveWei))).then((r) => receipts.push(r));
    });
    const jobs: string[] = [];
    for (const x of [3, 4])
      jobs.push(await m.submit({ circuitId, items: [{ x: String(x), y: String(x * x) }] }));
    await waitForTerminal(m, jobs, 120_000);
    const audits = await waitFor('the watchtower to audit both auctions', async () => {
      const all = (await (await fetch(`${tower}/v1/audits`)).json()) as {
        audits: { jobId: string; verdict: string; problems: string[] }[];
      };
      const mine = all.audits.filter((a) => jobs.includes(a.jobId) && a.verdict !== 'pending');
      return mine.length === jobs.length ? mine : undefined;
    });
    assert.deepEqual(
      audits.map((a) => [a.verdict, a.problems]),
      jobs.map(() => ['ok', []]),
    );
    await link.nc.close();
    // A griefing challenge of a receipt whose bid is in the transcript: the coordinator answers.
    const held = receipts.find((r) => r.reply.receipt && jobs.includes(r.request.bid.jobId));
    assert.ok(held?.reply.receipt, 'the losing bid got a receipt');
    const bid = {
      bid: {
        ...held.request.bid,
        price: BigInt(held.request.bid.price),
        nonce: BigInt(held.request.bid.nonce),
      },
      signature: held.request.signature,
    };
    const audit = new AuctionAudit(m.chain.as(BIDDERS[1] as number));
    // The watchtower signs what it checked: the auction passed, the proofs bb re-verified from the
    // fulfilment calldata passed, availability is not checked (no mirrors yet).
    for (const jobId of jobs) {
      const [signed] = await waitFor('its attestation', async () => {
        const res = await fetch(`${tower}/v1/attestations/${jobId}`);
        return res.ok
          ? ((await res.json()) as { attestations: SignedAttestation[] }).attestations
          : undefined;
      });
      assert.ok(signed);
      assert.deepEqual(
        [signed.auction, signed.proofs, signed.availability],
        [1, 1, 0],
        JSON.stringify(signed),
      );
      const { chainId, market } = m.chain.deployment;
      assert.equal(attestationSigner(attestationDomain(chainId, market), signed), address(TOWER));
    }
    await audit.challenge(bid, held.reply.receipt.signature);
    await waitFor('the coordinator to answer the challenge', async () =>
      (await audit.challengeOf(held.reply.receipt?.bidDigest ?? ''))?.open === false ? true : undefined,
    );
    assert.equal(await audit.bondOf(address(0)), BOND, "the honest coordinator's bond is whole");
    // The dashboard shows the challenge and its answer, read from AuctionAudit's events.
    type Enforced = { jobId: string; action: string; by: string };
    const shown = await waitFor('the dashboard to show the challenge and the answer', async () => {
      const snapshot = (await (await fetch(`${m.url}/v1/market`)).json()) as { enforcements: Enforced[] };
      const mine = snapshot.enforcements.filter((e) => e.jobId === held.request.bid.jobId.toLowerCase());
      return mine.length >= 2 ? mine : undefined;
    });
    assert.deepEqual(shown.map((e) => e.action).sort(), ['answer', 'challenge']);
    assert.ok(
      shown.some((e) => e.action === 'challenge' && e.by === address(BIDDERS[1] as number).toLowerCase()),
    );
  });

  test('a lying coordinator is caught on every lie, with its bond taken on-chain', async () => {
    const circuit = await m.client.registerCircuit(loadCircuit('tiny_square'));
    const lies: Lie[] = [
      'hides a lower bid',
      'assigns the wrong winner and price',
      'withholds the transcript',
    ];
    const caught: string[] = [];
    let bonds = 0n;
    for (const [i, lie] of lies.entries()) {
      const liar = await LyingCoordinator.start(m, LIARS[i] as number, BOND);
      liars.push(liar);
      // One watchtower per liar here, reading that liar's API (a watchtower reads one coordinator).
      const w = await m.stack.startWatchtowerProcess(LIAR_TOWER, {
        coordinatorUrl: liar.url,
        revealGraceMs: '2000',
      });
      const url = String(w.ready.url);
      const audit = new AuctionAudit(m.chain.as(0));
      const before = await audit.claimable(address(LIAR_TOWER));
      const jobId = await liar.auction(lie, circuit, BIDDERS, 8, url);
      const slashed = await waitFor(
        `the watchtower to catch "${lie}"`,
        async () => {
          const logs = await m.chain.provider.getLogs({ address: m.chain.deployment.audit, fromBlock: 0 });
          return audit
            .events(logs)
            .find(
              (e) =>
                e.name === 'CoordinatorSlashed' &&
                String(e.args.jobId) === jobId &&
                e.args.coordinator === liar.address,
            );
        },
        60_000,
      );
      const verdict = await waitFor('its audit verdict', async () => {
        const res = await fetch(`${url}/v1/audits/${jobId}`);
        const v = res.ok ? ((await res.json()) as { verdict: string; problems: string[] }) : undefined;
        return v && v.verdict !== 'pending' ? v : undefined;
      });
      assert.equal(verdict.verdict, 'violation', JSON.stringify(verdict));
      const offence = Number(slashed.args.offence);
      assert.equal(offence, lie === 'assigns the wrong winner and price' ? 2 : 1, lie);
      assert.equal(slashed.args.to, address(LIAR_TOWER));
      assert.equal(slashed.args.slashed, BOND, 'the whole bond');
      assert.equal(
        (await audit.claimable(address(LIAR_TOWER))) - before,
        BOND,
        'the bond is owed to the watchtower',
      );
      bonds += BOND;
      caught.push(lie);
      await w.stop();
      m.stack.watchtowerProcesses.delete(LIAR_TOWER);
    }
    console.log(
      `[watchtower] lying coordinators: jobs=${lies.length} faults=${lies.length} caught=${caught.length} bondsTaken=${formatEther(bonds)} ETH`,
    );
    assert.deepEqual(caught, lies);
  });

  test('proofs the chain paid for through a verifier that accepts anything are attested as failed', async () => {
    const circuit = await m.client.registerCircuit(loadCircuit('tiny_square'));
    // The registry takes anyone's claim; an escrow naming this verifier pays for any bytes.
    const art = contractArtifact('AcceptAllVerifier');
    const acceptAll = await new ContractFactory(art.abi, art.bytecode, m.chain.wallets[8]).deploy();
    await acceptAll.waitForDeployment();
    const verifier = await acceptAll.getAddress();
    await m.chain.as(8).registerVerifier(circuit.vkHash, verifier);
    const liar = await LyingCoordinator.start(m, 13, BOND);
    liars.push(liar);
    const w = await m.stack.startWatchtowerProcess(LIAR_TOWER, { coordinatorUrl: liar.url });
    const url = String(w.ready.url);
    const jobId = await liar.auction('none', { ...circuit, verifier }, BIDDERS, 8, url);
    const winner = BIDDERS[0] as number; // the 0.3 ETH bid wins
    const commitment = commitPublicInputs(LyingCoordinator.PUBLIC_INPUTS);
    await m.chain.as(winner).fulfil(jobId, [
      {
        index: 0,
        proof: hexlify(randomBytes(32 * 64)),
        publicInputs: LyingCoordinator.PUBLIC_INPUTS[0] as string[],
        merkleProof: commitment.proof(0),
      },
    ]);
    assert.equal((await m.chain.as(0).job(jobId)).status, 'Settled', 'the chain paid');
    const [signed] = await waitFor('the attestation', async () => {
      const res = await fetch(`${url}/v1/attestations/${jobId}`);
      return res.ok ? ((await res.json()) as { attestations: SignedAttestation[] }).attestations : undefined;
    });
    assert.ok(signed);
    assert.equal(signed.proofs, 2, 'bb finds the paid-for proof invalid');
    assert.equal(signed.auction, 1, 'the auction itself followed the rule');
    const { chainId, market } = m.chain.deployment;
    assert.equal(attestationSigner(attestationDomain(chainId, market), signed), address(LIAR_TOWER));
    await w.stop();
    m.stack.watchtowerProcesses.delete(LIAR_TOWER);
  });
});
