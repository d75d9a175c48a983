// A watchtower (`gavel watch`, a real process with no coordinator credentials) enforces deadlines
// the chain knows for the slash bounty. With the coordinator SIGKILLed for good — one job held by
// a silent winner, one escrow it never saw — no escrow and no collateral stays locked past its
// deadline while one watchtower runs; the coordinator's dashboard, once back, shows who did it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hexlify, parseEther, randomBytes, type Wallet } from 'ethers';
import { commitPublicInputs } from '../services/shared/chain/public-inputs-commitment.js';
import { generateBatches } from '../services/shared/circuits/batch-transfer-inputs.js';
import { inputsHash } from '../services/shared/protocol/canonical-json.js';
import { loadCircuit } from '../services/shared/proving/circuit-artifact.js';
import { itemPublicInputs } from '../services/shared/proving/item-public-inputs.js';
import { HostileProver } from './fixtures/hostile-prover.js';
import { waitFor } from './fixtures/market.js';
import { type ProcessMarket, startProcessMarket } from './fixtures/process-market.js';

const SILENT = 5;
const WATCHER = 7;
const REQUESTER = 8;
let m: ProcessMarket;
let silent: HostileProver | undefined;

before(async () => {
  m = await startProcessMarket({}, { stakedProvers: [SILENT] });
});
after(async () => {
  await silent?.stop();
  await m?.stop();
});

const address = (i: number) => (m.chain.wallets[i] as Wallet).address;

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
  assert.ok(shown.some((e) => e.action === 'expire' && e.jobId === orphan.toLowerCase() && e.by === watcher));
});
