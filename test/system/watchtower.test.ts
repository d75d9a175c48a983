// A watchtower (`gavel watch`, a real process with no coordinator credentials) enforces deadlines
// the chain knows for the slash bounty. With the coordinator SIGKILLed for good — one job held by
// a silent winner, one escrow it never saw — no escrow and no collateral stays locked past its
// deadline while one watchtower runs; the coordinator's dashboard, once back, shows who did it.
// It audits every auction: an honest coordinator's auctions pass and a challenge of one of its
// receipts is answered (its bond stays); a lying coordinator that hides a lower bid, assigns the
// wrong winner and price, or withholds its transcript is caught, and its bond taken on-chain. It
// keeps inputs available: a coordinator that withholds a job's inputs or serves other ones is
// reported by the assigned prover, who proves from a watchtower mirror or, with none, hands the
// attempt back unslashed; a job requiring k mirrors is not auctioned with fewer; the mirror takes
// only the committed inputs and serves them only to the requester and the assigned prover.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ContractFactory,
  formatEther,
  hexlify,
  parseEther,
  randomBytes,
  type Wallet,
  ZeroHash,
} from 'ethers';
import { offerFor } from '../../services/prover/prover-link.js';
import { AuctionAudit } from '../../services/shared/chain/auction-audit.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { GavelContracts } from '../../services/shared/chain/gavel-contracts.js';
import { commitPublicInputs } from '../../services/shared/chain/public-inputs-commitment.js';
import { generateBatches, seededRandom } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { openAndSubmitJob, submitTermsText } from '../../services/shared/client/coordinator-client.js';
import type { GavelError } from '../../services/shared/errors.js';
import {
  attestationDomain,
  attestationSigner,
  type SignedAttestation,
} from '../../services/shared/protocol/attestation.js';
import { inputsHash } from '../../services/shared/protocol/canonical-json.js';
import {
  type SignedInputsFault,
  type SignedInputsHeld,
  signInputsFault,
  signInputsHeld,
} from '../../services/shared/protocol/inputs-availability.js';
import type { BidReply, BidRequest } from '../../services/shared/protocol/messages.js';
import { signRequest } from '../../services/shared/protocol/request-auth.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { itemPublicInputs } from '../../services/shared/proving/item-public-inputs.js';
import { type FuzzCase, fuzzBodies } from '../fixtures/fuzz-bodies.js';
import { HostileProver } from '../fixtures/hostile-prover.js';
import { type Lie, LyingCoordinator } from '../fixtures/lying-coordinator.js';
import { type InputsLie, LyingFront } from '../fixtures/lying-front.js';
import { linkProver, waitFor } from '../fixtures/market.js';
import { sendOversized } from '../fixtures/oversized.js';
import { type ProcessMarket, startProcessMarket, waitForTerminal } from '../fixtures/process-market.js';

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
    const held = await m.submit({ circuitId: circuit.id, items, requester: REQUESTER });
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
      deadline: (await m.chain.now()) + 60,
      collateral: parseEther('1'),
      reserve: parseEther('0.02'),
      rule: 'SECOND_PRICE',
    });

    const stakingBefore = (await chain.proverInfo(address(WATCHER))).claimable;
    await m.stack.startWatchtowerProcess(WATCHER);
    // Both deadlines pass (the held job's is the later one).
    await m.stack.advance((await chain.job(held)).deadline - (await m.chain.now()) + 1);
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
  // A watchtower restarted mid-auction, and the coordinator lying to it.
  const RESTARTED_TOWER = 13;
  const RESTARTED_LIAR = 15;
  const BOND = parseEther('2');
  const liars: LyingCoordinator[] = [];
  let tower: string;

  before(async () => {
    m = await startProcessMarket(
      {},
      {
        accounts: 16,
        stakedProvers: [...HONEST_PROVERS, ...BIDDERS],
        chain: { coordinatorBondWei: BOND, answerWindowSeconds: 4 },
      },
    );
    tower = String((await m.stack.startWatchtowerProcess(TOWER)).ready.url);
    await Promise.all(HONEST_PROVERS.map((p) => m.startProver(p)));
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
    // fulfilment calldata passed, availability is not checked (these inputs were not mirrored).
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
      // One offence takes a fixed share of the bond, never all of it (review N6).
      const share = (BOND * (await m.chain.as(0).audit.getFunction('slashShareBps')())) / 10_000n;
      assert.equal(slashed.args.slashed, share, 'its share of the bond');
      const owed = (await audit.claimable(address(LIAR_TOWER))) - before;
      // A receipt challenged and not answered also gives the watchtower its deposit back.
      assert.ok(owed >= share, 'the share is owed to the watchtower');
      bonds += share;
      caught.push(lie);
      await w.stop();
      m.stack.watchtowerProcesses.delete(LIAR_TOWER);
    }
    console.log(
      `[watchtower] lying coordinators: jobs=${lies.length} faults=${lies.length} caught=${caught.length} bondsTaken=${formatEther(bonds)} ETH`,
    );
    assert.deepEqual(caught, lies);
  });

  test('a watchtower restarted after receipts were filed still holds them, and catches the bid hidden from them', async () => {
    const circuit = await m.client.registerCircuit(loadCircuit('tiny_square'));
    const liar = await LyingCoordinator.start(m, RESTARTED_LIAR, BOND);
    liars.push(liar);
    const start = () =>
      m.stack.startWatchtowerProcess(RESTARTED_TOWER, { coordinatorUrl: liar.url, revealGraceMs: '2000' });
    const url = String((await start()).ready.url);
    const jobId = await liar.auction('hides a lower bid', circuit, BIDDERS, 8, url, async () => {
      // Receipts are filed; the watchtower goes down and comes back before the assignment.
      await m.stack.watchtowerProcesses.get(RESTARTED_TOWER)?.stop();
      m.stack.watchtowerProcesses.delete(RESTARTED_TOWER);
      await start();
    });
    const audit = new AuctionAudit(m.chain.as(0));
    const slashed = await waitFor(
      'the restarted watchtower to catch the hidden bid',
      async () => {
        const logs = await m.chain.provider.getLogs({ address: m.chain.deployment.audit, fromBlock: 0 });
        return audit
          .events(logs)
          .find((e) => e.name === 'CoordinatorSlashed' && String(e.args.jobId) === jobId);
      },
      60_000,
    );
    assert.equal(slashed.args.coordinator, liar.address);
    assert.equal(slashed.args.to, address(RESTARTED_TOWER));
    await m.stack.watchtowerProcesses.get(RESTARTED_TOWER)?.stop();
    m.stack.watchtowerProcesses.delete(RESTARTED_TOWER);
  });

  test('a lower bid marked short of stake by a coordinator is flagged as doubtful, not slashed', async () => {
    const circuit = await m.client.registerCircuit(loadCircuit('tiny_square'));
    const liar = await LyingCoordinator.start(m, 14, BOND);
    liars.push(liar);
    const w = await m.stack.startWatchtowerProcess(LIAR_TOWER, { coordinatorUrl: liar.url });
    const url = String(w.ready.url);
    const jobId = await liar.auction('marks a lower bid short of stake', circuit, BIDDERS, 8, url);
    const verdict = await waitFor('its audit verdict', async () => {
      const res = await fetch(`${url}/v1/audits/${jobId}`);
      const v = res.ok ? ((await res.json()) as { verdict: string; doubts: string[] }) : undefined;
      return v && v.verdict !== 'pending' ? v : undefined;
    });
    // The rule among the bids marked eligible holds, so nothing on-chain; the standing is doubted:
    // the 0.3 ETH bidder had far more free stake than the 0.1 ETH collateral.
    assert.equal(verdict.verdict, 'ok', JSON.stringify(verdict));
    assert.equal(verdict.doubts.length, 1, JSON.stringify(verdict));
    assert.match(verdict.doubts[0] as string, new RegExp(`${address(BIDDERS[0] as number)} bid 0.3 ETH`));
    assert.equal(await new AuctionAudit(m.chain.as(0)).bondOf(liar.address), BOND, 'its bond is whole');
    await w.stop();
    m.stack.watchtowerProcesses.delete(LIAR_TOWER);
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

describe('inputs availability', () => {
  const PROVER = 1;
  const STRANGER = 3;
  const TOWER = 6;
  const QUOTA_TOWER = 9;
  let front: LyingFront;
  let tower: string;
  let circuitId: string;
  const square = (x: number) => [{ x: String(x), y: String(x * x) }];

  before(async () => {
    // Awards name the coordinator by its public URL: here a front that lies about inputs on cue.
    front = await LyingFront.start();
    m = await startProcessMarket({ GAVEL_PUBLIC_URL: front.url }, { stakedProvers: [PROVER] });
    front.forwardTo(m.url);
    // Mirrored inputs are deleted as soon as their job ends on-chain (a day by default).
    tower = String((await m.stack.startWatchtowerProcess(TOWER, { mirrorKeepMs: '0' })).ready.url);
    // The prover's own watchtower: asked for inputs the award names no mirror for.
    await m.startProver(PROVER, { GAVEL_WATCHTOWERS: tower });
    circuitId = (await m.client.registerCircuit(loadCircuit('tiny_square'))).id;
  });
  after(async () => {
    await m?.stop();
    await front?.stop();
  });

  const pulledCount = async () => {
    const metrics = await (await fetch(`${tower}/metrics`)).text();
    return Number(/gavel_watchtower_inputs_mirrored_total\{how="pulled"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  };
  const settles = (jobId: string, what: string) =>
    waitFor(
      `${what}: the job to settle`,
      async () => ((await m.chain.as(0).job(jobId)).status === 'Settled' ? true : undefined),
      120_000,
    );
  /** The fault reports filed about `jobId`, once there is one. */
  const reportedFaults = (jobId: string) =>
    waitFor('the fault report', async () => {
      const f = await faultsOf(jobId);
      return f.length ? f : undefined;
    });
  const faultsOf = async (jobId: string) =>
    ((await (await fetch(`${tower}/v1/inputs-faults/${jobId}`)).json()) as { faults: SignedInputsFault[] })
      .faults;

  test('a coordinator that withholds or swaps inputs is reported; the prover proves from a mirror, or hands back unslashed', async () => {
    const chain = m.chain.as(0);
    const stakeBefore = (await chain.proverInfo(address(PROVER))).stake;
    const coordinator = address(0).toLowerCase();
    const outcomes: string[] = [];
    // Withheld, and swapped for other inputs, with the inputs mirrored: proved from the mirror.
    for (const lie of ['withholds inputs', 'serves wrong inputs'] as InputsLie[]) {
      const jobId = hexlify(randomBytes(32));
      front.lieAbout(jobId, lie, square(5));
      await m.submit({ jobId, circuitId, items: square(3), mirrors: [tower] });
      await settles(jobId, `"${lie}"`);
      const [fault, ...more] = await reportedFaults(jobId);
      assert.equal(more.length, 0);
      assert.deepEqual(
        [fault?.party, fault?.source, fault?.kind, fault?.prover],
        [coordinator, front.url, lie === 'withholds inputs' ? 1 : 2, address(PROVER).toLowerCase()],
      );
      if (lie === 'serves wrong inputs') assert.equal(fault?.servedHash, inputsHash(square(5)).toLowerCase());
      const [signed] = await waitFor('its attestation', async () => {
        const res = await fetch(`${tower}/v1/attestations/${jobId}`);
        return res.ok
          ? ((await res.json()) as { attestations: SignedAttestation[] }).attestations
          : undefined;
      });
      assert.equal(
        signed?.availability,
        2,
        'availability failed: a party did not serve the committed inputs',
      );
      assert.equal(signed?.proofs, 1);
      outcomes.push('proved from the mirror');
    }
    // Withheld with no mirror: the prover hands the attempt back (no slash); the job expires.
    const jobId = hexlify(randomBytes(32));
    front.lieAbout(jobId, 'withholds inputs');
    await m.submit({ jobId, circuitId, items: square(4) });
    await waitFor('the attempt to be handed back on-chain', async () => {
      const handedBack = await chain.market.queryFilter(chain.market.filters.JobHandedBack?.(jobId) ?? '*');
      return handedBack.length > 0 ? true : undefined;
    });
    // Nobody else bids: the job can only end at its deadline.
    await m.stack.advance((await chain.job(jobId)).deadline - (await m.chain.now()) + 1);
    await waitFor(
      'the job to end on-chain',
      async () => (['Expired', 'Settled'].includes((await chain.job(jobId)).status) ? true : undefined),
      120_000,
    );
    const logs = await m.chain.provider.getLogs({ address: m.chain.deployment.market, fromBlock: 0 });
    const events = logs.map((l) => chain.market.interface.parseLog(l)).filter((e) => e !== null);
    assert.ok(
      events.some((e) => e.name === 'JobHandedBack' && String(e.args.jobId) === jobId),
      'the attempt was handed back on-chain',
    );
    assert.equal(events.filter((e) => e.name === 'JobSlashed').length, 0, 'nobody was slashed');
    assert.equal((await chain.job(jobId)).status, 'Expired');
    const [fault] = await reportedFaults(jobId);
    assert.deepEqual([fault?.party, fault?.kind], [coordinator, 1]);
    outcomes.push('handed back unslashed');
    const info = await chain.proverInfo(address(PROVER));
    assert.equal(info.stake, stakeBefore, "the prover's stake is whole");
    assert.equal(info.locked, 0n, 'no collateral stays locked');
    assert.equal(await chain.market.getFunction('totalEscrow')(), 0n, 'no escrow stays locked');
    const reported = (await (await fetch(`${tower}/v1/inputs-faults`)).json()) as { faults: unknown[] };
    console.log(
      `[watchtower] inputs lies: jobs=3 faults=3 caught=${reported.faults.length} ` +
        `provedFromMirror=${outcomes.filter((o) => o.includes('mirror')).length} ` +
        `handedBackUnslashed=${outcomes.filter((o) => o.includes('handed')).length} slashed=0 escrowStuck=0`,
    );
    assert.equal(reported.faults.length, 3);
    assert.equal(front.lied >= 3, true);
  });

  test("a public job's inputs are mirrored with nobody pushing them; a coordinator withholding them from its prover alone is bypassed", async () => {
    const chain = m.chain.as(0);
    const pulledBefore = await pulledCount();
    const jobId = hexlify(randomBytes(32));
    front.lieAbout(jobId, 'withholds inputs from its prover');
    await m.submit({ jobId, circuitId, items: square(12), public: true });
    await settles(jobId, 'the public job');
    const [fault, ...more] = await reportedFaults(jobId);
    assert.equal(more.length, 0);
    assert.deepEqual(
      [fault?.party, fault?.source, fault?.kind],
      [address(0).toLowerCase(), front.url, 1],
      "the coordinator's key is reported for inputs it withheld from the assigned prover",
    );
    const logs = await m.chain.provider.getLogs({ address: m.chain.deployment.market, fromBlock: 0 });
    const events = logs.map((l) => chain.market.interface.parseLog(l)).filter((e) => e !== null);
    assert.equal(
      events.filter((e) => String(e.args.jobId) === jobId && e.name === 'JobHandedBack').length,
      0,
      'proved from the mirror: not handed back',
    );
    assert.equal(await pulledCount(), pulledBefore + 1, 'the watchtower pulled them from the coordinator');

    // A private job's inputs are never pulled: only its requester can put them in a mirror.
    const secret = hexlify(randomBytes(32));
    await m.submit({ jobId: secret, circuitId, items: square(13) });
    const at = Date.now();
    const signature = await signRequest(m.chain.wallets[REQUESTER] as Wallet, 'read inputs', {
      job: secret,
      at,
    });
    const res = await fetch(`${tower}/v1/jobs/${secret}/inputs`, {
      headers: { 'x-gavel-at': String(at), 'x-gavel-signature': signature },
    });
    assert.equal(res.status, 404);
    assert.equal(await pulledCount(), pulledBefore + 1, 'nothing private was pulled');
    await waitForTerminal(m, [secret], 120_000);
  });

  test('a job that requires k watchtowers holding its inputs is not auctioned with fewer', async () => {
    // Through the client: one of two required mirrors is down, so the escrow is cancelled.
    const requester = new GavelContracts(m.chain.deployment, m.chain.wallets[REQUESTER] as Wallet);
    const jobId = hexlify(randomBytes(32));
    await assert.rejects(
      openAndSubmitJob(m.client, requester, {
        jobId,
        circuitId,
        items: square(6),
        reserve: parseEther('0.05'),
        collateral: parseEther('1'),
        deadlineIn: 300,
        mirrors: [tower, 'http://127.0.0.1:9'],
      }),
      (err: GavelError) => err.code === 'AVAILABILITY_SHORT',
    );
    assert.equal((await requester.job(jobId)).status, 'Cancelled', 'the escrow was refunded');
    assert.equal((await fetch(`${m.url}/v1/jobs/${jobId}`)).status, 404, 'the coordinator never saw it');

    // Straight to the coordinator: forged, duplicated, too few, or stripped attestations are refused.
    const items = square(7);
    const open = await openEscrow(items);
    const pushed = await fetch(`${tower}/v1/jobs/${open}/inputs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    });
    assert.equal(pushed.status, 200);
    const genuine = ((await pushed.json()) as { attestation: SignedInputsHeld }).attestation;
    assert.equal(genuine.url, tower, 'the watchtower signs where it serves the inputs');
    const { chainId, market } = m.chain.deployment;
    const forgedBy = m.chain.wallets[STRANGER] as Wallet;
    const forged = {
      ...(await signInputsHeld(forgedBy, attestationDomain(chainId, market), genuine)),
      watchtower: address(TOWER + 1).toLowerCase(),
    };
    // Relayed with another URL (provers would ask a dead or hostile server): the signature breaks.
    const redirected = { ...genuine, url: 'http://127.0.0.1:9' };
    const post = async (required: number, attestations: object[], signedRequired = required) => {
      const terms = submitTermsText({
        jobId: open,
        circuitId,
        rule: 'SECOND_PRICE',
        inputsHash: inputsHash(items),
        public: false,
        mirrorsRequired: signedRequired,
      });
      const signature = await signRequest(m.chain.wallets[REQUESTER] as Wallet, 'submit job', terms);
      const res = await fetch(`${m.url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jobId: open,
          circuitId,
          items,
          rule: 'SECOND_PRICE',
          public: false,
          signature,
          ...(required ? { availability: { required, attestations } } : {}),
        }),
      });
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    assert.deepEqual(await post(2, [genuine, forged]), { status: 400, code: 'BAD_ATTESTATION' });
    assert.deepEqual(await post(1, [redirected]), { status: 400, code: 'BAD_ATTESTATION' });
    assert.deepEqual(await post(2, [genuine, genuine]), { status: 422, code: 'AVAILABILITY_SHORT' });
    assert.deepEqual(await post(1, []), { status: 422, code: 'AVAILABILITY_SHORT' });
    // The requester signed "1 mirror required": submitting it with none is not the requester's job.
    assert.deepEqual(await post(0, [], 1), { status: 403, code: 'NOT_REQUESTER' });
    assert.equal((await fetch(`${m.url}/v1/jobs/${open}`)).status, 404, 'nothing was stored');
    assert.equal((await post(1, [genuine])).status, 202);
    const view = (await (await fetch(`${m.url}/v1/jobs/${open}`)).json()) as {
      availability: { required: number; attestations: { watchtower: string }[] };
    };
    assert.equal(view.availability.required, 1);
    assert.deepEqual(
      view.availability.attestations.map((a) => a.watchtower),
      [address(TOWER).toLowerCase()],
    );
    await waitForTerminal(m, [open], 120_000);
  });

  test("the mirror holds inputs only for an escrow that locks a reserve for their room, up to a quota per requester's live jobs", async () => {
    const small = await m.stack.startWatchtowerProcess(QUOTA_TOWER, {
      mirrorQuotaBytes: '100',
      mirrorKeepMs: '0',
    });
    const put = async (jobId: string, items: Record<string, unknown>[]) => {
      const res = await fetch(`${small.ready.url}/v1/jobs/${jobId}/inputs`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
    };
    // A 1-wei escrow (with a far deadline, the review's way to fill a mirror) locks nothing.
    const cheap = square(21);
    assert.deepEqual(await put(await openEscrow(cheap, 1n), cheap), [402, 'RESERVE_TOO_LOW']);
    const first = square(22); // 32 bytes
    const firstJob = await openEscrow(first);
    assert.deepEqual(await put(firstJob, first), [200, undefined]);
    const more = [...square(23), ...square(24), ...square(25)]; // 88 bytes: over the 100 with the first
    const moreJob = await openEscrow(more);
    assert.deepEqual(await put(moreJob, more), [429, 'QUOTA_EXCEEDED']);
    // Once the first job has ended on-chain, its room is the requester's again.
    await m.chain.as(REQUESTER).cancel(firstJob);
    await waitFor('the ended job to leave the quota', async () => {
      const [status] = await put(moreJob, more);
      return status === 200 ? true : undefined;
    });
    await small.stop();
    m.stack.watchtowerProcesses.delete(QUOTA_TOWER);
    await m.chain.as(REQUESTER).cancel(moreJob);
  });

  test('the mirror takes only the committed inputs and serves them only to the requester and the assigned prover', async () => {
    const items = square(8);
    const jobId = await openEscrow(items);
    const put = (id: string, body: string) =>
      fetch(`${tower}/v1/jobs/${id}/inputs`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const codeOf = async (res: Response) => [
      res.status,
      ((await res.json()) as { error?: { code: string } }).error?.code,
    ];
    assert.deepEqual(await codeOf(await put(jobId, JSON.stringify({ items: square(9) }))), [
      409,
      'INPUTS_MISMATCH',
    ]);
    assert.deepEqual(await codeOf(await put(hexlify(randomBytes(32)), JSON.stringify({ items }))), [
      404,
      'ESCROW_NOT_FOUND',
    ]);
    assert.deepEqual(await codeOf(await put(jobId, '{"items": 3}')), [400, 'BAD_INPUTS']);
    assert.deepEqual(await codeOf(await put(jobId, '{not json')), [400, 'BAD_MESSAGE']);
    assert.deepEqual(await codeOf(await put('0x12', JSON.stringify({ items }))), [400, 'BAD_JOB_ID']);
    const huge = JSON.stringify({ items: [{ x: 'x'.repeat(9 * 1024 * 1024) }] });
    const refused = await sendOversized(`${tower}/v1/jobs/${jobId}/inputs`, 'PUT', huge);
    assert.equal(refused.status, 413, JSON.stringify(refused.body));
    const read = async (who: number, at = Date.now()) => {
      const signature = await signRequest(m.chain.wallets[who] as Wallet, 'read inputs', { job: jobId, at });
      return fetch(`${tower}/v1/jobs/${jobId}/inputs`, {
        headers: { 'x-gavel-at': String(at), 'x-gavel-signature': signature },
      });
    };
    // Not pushed, and not public: not even its requester gets them here.
    assert.deepEqual(await codeOf(await read(REQUESTER)), [404, 'NOT_MIRRORED']);
    assert.equal((await put(jobId, JSON.stringify({ items }))).status, 200);
    const mine = await read(REQUESTER);
    assert.equal(mine.status, 200);
    assert.deepEqual(((await mine.json()) as { items: unknown }).items, items);
    assert.deepEqual(await codeOf(await read(STRANGER)), [403, 'NOT_ASSIGNED']);
    assert.deepEqual(await codeOf(await read(REQUESTER, Date.now() - 10 * 60_000)), [401, 'STALE_REQUEST']);
    assert.deepEqual(
      await codeOf(
        await fetch(`${tower}/v1/jobs/${jobId}/inputs`, { headers: { 'x-gavel-at': String(Date.now()) } }),
      ),
      [401, 'MISSING_SIGNATURE'],
    );

    // Fault reports: only from the prover the chain assigned that attempt to, signed by it.
    const { chainId, market } = m.chain.deployment;
    const fault = {
      jobId,
      attempt: 0,
      party: address(0).toLowerCase(),
      source: m.url,
      kind: 1 as const,
      servedHash: ZeroHash,
      at: Math.floor(Date.now() / 1000),
    };
    const file = (body: object | string) =>
      fetch(`${tower}/v1/inputs-faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const stranger = await signInputsFault(
      m.chain.wallets[STRANGER] as Wallet,
      attestationDomain(chainId, market),
      fault,
    );
    assert.deepEqual(await codeOf(await file(stranger)), [403, 'NOT_ASSIGNED']);
    assert.deepEqual(await codeOf(await file({ ...stranger, prover: address(PROVER).toLowerCase() })), [
      401,
      'BAD_SIGNATURE',
    ]);
    assert.deepEqual(await codeOf(await file({ ...stranger, kind: 7 })), [400, 'BAD_FAULT']);
    assert.deepEqual(await codeOf(await file('[]')), [400, 'BAD_FAULT']);
    assert.deepEqual(await faultsOf(jobId), [], 'nothing was kept');
    // Once the job has ended on-chain its inputs are deleted: the mirror does not fill up for good.
    await m.chain.as(REQUESTER).cancel(jobId);
    const gone = await waitFor('the ended job to be pruned', async () => {
      const res = await read(REQUESTER);
      return res.status === 404 ? res : undefined;
    });
    assert.match(((await gone.json()) as { error: { message: string } }).error.message, /job ended/);
    const metrics = await (await fetch(`${tower}/metrics`)).text();
    assert.match(metrics, /gavel_watchtower_inputs_mirrored_bytes 0\b/, 'every ended job was pruned');
  });

  test("hostile requests to every route of the watchtower's API are refused with a specific error and change nothing", async () => {
    const seed = Number(process.env.GAVEL_FUZZ_SEED ?? 20261126);
    const jobId = await openEscrow(square(11));
    const { chainId, market } = m.chain.deployment;
    const fault = await signInputsFault(
      m.chain.wallets[STRANGER] as Wallet,
      attestationDomain(chainId, market),
      {
        jobId,
        attempt: 0,
        party: address(0).toLowerCase(),
        source: m.url,
        kind: 1,
        servedHash: ZeroHash,
        at: Math.floor(Date.now() / 1000),
      },
    );
    const receipt = {
      bid: {
        jobId,
        attempt: 0,
        price: '1',
        prover: address(PROVER),
        expiry: 1,
        nonce: '1',
        deliverySeconds: 1,
      },
      signature: fault.signature,
      receipt: { signer: address(0), signature: fault.signature, bidDigest: ZeroHash },
    };
    const state = async () => [
      await (await fetch(`${tower}/v1/inputs-faults`)).text(),
      await (await fetch(`${tower}/v1/audits`)).text(),
      (await (await fetch(`${tower}/metrics`)).text()).match(
        /gavel_watchtower_(inputs_mirrored_bytes|receipts_held_total) \d+/g,
      ),
    ];
    const before = await state();
    await assertAllRefused('POST', `${tower}/v1/receipts`, fuzzBodies(seed, 60, receipt), seed);
    await assertAllRefused(
      'PUT',
      `${tower}/v1/jobs/${jobId}/inputs`,
      fuzzBodies(seed + 1, 60, { items: square(12) }),
      seed,
    );
    await assertAllRefused('POST', `${tower}/v1/inputs-faults`, fuzzBodies(seed + 2, 60, { ...fault }), seed);
    const r = seededRandom(seed + 3);
    for (let i = 0; i < 40; i++) {
      const id = [jobId, '0x', `${jobId}00`, '..%2f..%2fetc', hexlify(randomBytes(32))][Math.floor(r() * 5)];
      const res = await fetch(`${tower}/v1/jobs/${id}/inputs`, {
        headers: {
          'x-gavel-at': String(Math.floor(r() * 2 ** 45)),
          'x-gavel-signature': `0x${'ab'.repeat(Math.floor(r() * 80))}`,
          'x-gavel-attempt': String(r()),
        },
      });
      assert.ok(res.status >= 400 && res.status < 500, `GET ${id}: ${res.status}`);
    }
    assert.deepEqual(await state(), before, 'nothing was kept, mirrored or counted');
    await m.chain.as(REQUESTER).cancel(jobId);
    // A public watchtower limits each client address (GAVEL_RATE_LIMIT_PER_MIN).
    const limited = await m.stack.startWatchtowerProcess(9, { rateLimitPerMin: '20' });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await fetch(`${limited.ready.url}/v1/audits`)).status);
    assert.deepEqual([statuses.filter((x) => x === 200).length, statuses.at(-1)], [20, 429]);
    const refused = await fetch(`${limited.ready.url}/v1/inputs-faults`);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
  });
});

/** Sends every case to `url` with `method`; each must be refused with a 4xx naming an error code. */
async function assertAllRefused(method: string, url: string, cases: FuzzCase[], seed: number) {
  for (const c of cases) {
    const res = await fetch(url, { method, headers: c.headers, body: c.body });
    const text = await res.text();
    const where = `seed ${seed}, ${method} ${url}, case "${c.what}": ${res.status} ${text.slice(0, 200)}`;
    assert.ok(res.status >= 400 && res.status < 500, where);
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    assert.ok(typeof code === 'string' && code.length > 0, where);
  }
}

/** Opens an escrow for tiny_square `items` on-chain, without telling the coordinator. */
async function openEscrow(items: Record<string, unknown>[], reserve = parseEther('0.05')): Promise<string> {
  const circuit = await m.client.registerCircuit(loadCircuit('tiny_square'));
  const jobId = hexlify(randomBytes(32));
  const publicInputs = await itemPublicInputs(loadCircuit('tiny_square'), items);
  await m.chain.as(REQUESTER).openJob({
    jobId,
    vkHash: circuit.vkHash,
    verifier: circuit.verifier,
    inputsHash: inputsHash(items),
    publicInputsRoot: commitPublicInputs(publicInputs).root,
    items: items.length,
    // Chain time: an earlier test in the file may have moved it past the wall clock.
    deadline: (await m.chain.now()) + 300,
    collateral: parseEther('1'),
    reserve,
    rule: 'SECOND_PRICE',
  });
  return jobId;
}
