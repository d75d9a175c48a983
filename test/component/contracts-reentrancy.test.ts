// Reentrancy and hostile receivers: a contract that pays out refuses a receiver that calls back in
// (even into a function that would otherwise succeed), and a receiver that refuses the payment
// gets a clear TransferFailed while nothing is lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type BaseContract, ContractFactory, Interface, keccak256, parseEther, toUtf8Bytes } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { MIN_STAKE_WEI } from '../../services/shared/chain/deployment.js';

const COOLDOWN = 600;
let chain: Chain;
let jobs = 0;
const newJobId = () => keccak256(toUtf8Bytes(`reentrancy-job-${++jobs}`));
/** Escrows here never reach a verifier: any contract registered for this key will do. */
const VK_HASH = keccak256(toUtf8Bytes('a key'));
const marketIface = new Interface(contractArtifact('Market').abi);
const stakingIface = new Interface(contractArtifact('Staking').abi);

before(async () => {
  chain = await startChain({ cooldownSeconds: COOLDOWN });
  await chain.as(0).registerVerifier(VK_HASH, chain.deployment.staking);
});
after(async () => {
  await chain.stop();
});

/** A ReentrantReceiver deployed by account 8, with helpers to act through it. */
async function receiver() {
  const art = contractArtifact('ReentrantReceiver');
  const c = (await new ContractFactory(art.abi, art.bytecode, chain.wallets[8]).deploy()) as BaseContract;
  await c.waitForDeployment();
  const call = async (name: string, ...args: unknown[]) => (await c.getFunction(name)(...args)).wait();
  return {
    address: await c.getAddress(),
    read: (name: string) => c.getFunction(name)(),
    exec: (to: string, data: string, value = 0n) => call('execute', to, data, value, { value }),
    arm: (to: string, data: string) => call('arm', to, data),
    refuse: (on: boolean) => call('setRefusePayments', on),
  };
}

async function openJobAs(r: Awaited<ReturnType<typeof receiver>>, reserve: bigint, ttl: number) {
  const jobId = newJobId();
  const deadline = (await chain.now()) + ttl;
  const terms = [VK_HASH, chain.deployment.staking, jobId, jobId, 1, deadline, 0n, 0];
  const data = marketIface.encodeFunctionData('openJob', [jobId, terms]);
  await r.exec(chain.deployment.market, data, reserve);
  return jobId;
}

describe('reentrancy', () => {
  test('a requester re-entering claim() during a cancel refund is refused by the guard', async () => {
    const attacker = await receiver();
    const market = chain.deployment.market;
    // A refund the attacker is owed for real: an expired job credits its reserve to claimable.
    const expired = await openJobAs(attacker, parseEther('0.5'), 60);
    await chain.advance(61);
    await (await chain.as(0).market.getFunction('expire')(expired)).wait();
    assert.equal(await chain.as(0).marketClaimable(attacker.address), parseEther('0.5'));

    // While cancel pays the attacker, it calls claim(): without nonReentrant on either, that
    // inner claim would succeed.
    const jobId = await openJobAs(attacker, parseEther('1'), 600);
    await attacker.arm(market, marketIface.encodeFunctionData('claim', []));
    const before = await chain.provider.getBalance(market);
    await attacker.exec(market, marketIface.encodeFunctionData('cancel', [jobId]));
    assert.equal(await attacker.read('reentryAttempts'), 1n);
    assert.equal(await attacker.read('reentrySucceeded'), false);
    assert.equal(
      marketIface.parseError(await attacker.read('reentryRevert'))?.name,
      'ReentrancyGuardReentrantCall',
    );
    assert.equal(
      before - (await chain.provider.getBalance(market)),
      parseEther('1'),
      'only the cancel refund left',
    );
    assert.equal(
      await chain.as(0).marketClaimable(attacker.address),
      parseEther('0.5'),
      'the credit is intact',
    );
  });

  test('a prover re-entering withdraw gets its stake once', async () => {
    const attacker = await receiver();
    const staking = chain.deployment.staking;
    await attacker.exec(staking, stakingIface.encodeFunctionData('register', ['evil', '']), MIN_STAKE_WEI);
    await attacker.exec(staking, stakingIface.encodeFunctionData('stake', []), parseEther('2'));
    await attacker.exec(staking, stakingIface.encodeFunctionData('requestUnstake', [parseEther('2')]));
    await chain.advance(COOLDOWN + 1);
    await attacker.arm(staking, stakingIface.encodeFunctionData('withdraw', []));
    await attacker.exec(staking, stakingIface.encodeFunctionData('withdraw', []));
    assert.equal(await attacker.read('reentrySucceeded'), false);
    assert.equal(await chain.provider.getBalance(attacker.address), parseEther('2'));
  });
});

describe('hostile receivers', () => {
  test('a requester that refuses its refund gets TransferFailed, and the escrow stays', async () => {
    const requester = await receiver();
    const market = chain.deployment.market;
    const jobId = await openJobAs(requester, parseEther('1'), 600);
    await requester.refuse(true);
    await assert.rejects(
      requester.exec(market, marketIface.encodeFunctionData('cancel', [jobId])),
      (e: Error) => {
        const data = (e as { data?: string }).data;
        assert.equal(data ? marketIface.parseError(data)?.name : undefined, 'TransferFailed', String(e));
        return true;
      },
    );
    assert.equal((await chain.as(0).job(jobId)).status, 'Open', 'the failed refund changed nothing');
    await requester.refuse(false);
    await requester.exec(market, marketIface.encodeFunctionData('cancel', [jobId]));
    assert.equal((await chain.as(0).job(jobId)).status, 'Cancelled');
  });
});
