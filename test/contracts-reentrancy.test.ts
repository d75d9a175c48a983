// Reentrancy: contracts that pay out refuse a receiver that calls back in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContractFactory, Interface, parseEther } from 'ethers';
import { type Chain, startChain } from '../services/devstack/local-chain.js';
import { contractArtifact } from '../services/shared/chain/contract-artifacts.js';
import { contractHelpers } from './fixtures/contracts.js';

const COOLDOWN = 600;
let chain: Chain;
const { newJobId } = contractHelpers(() => chain);

before(async () => {
  chain = await startChain({ cooldownSeconds: COOLDOWN });
});
after(async () => {
  await chain.stop();
});

describe('reentrancy', () => {
  test('a reentrant requester and a reentrant prover get paid exactly once', async () => {
    const art = contractArtifact('ReentrantReceiver');
    const attacker = await new ContractFactory(art.abi, art.bytecode, chain.wallets[8]).deploy();
    await attacker.waitForDeployment();
    const attackerAddress = await attacker.getAddress();
    const marketIface = new Interface(contractArtifact('Market').abi);
    const stakingIface = new Interface(contractArtifact('Staking').abi);
    const exec = async (to: string, data: string, value = 0n) =>
      (await attacker.getFunction('execute')(to, data, value, { value })).wait();

    // Requester: cancel re-enters cancel.
    const jobId = newJobId();
    const deadline = (await chain.now()) + 600;
    await exec(
      chain.deployment.market,
      marketIface.encodeFunctionData('openJob', [jobId, jobId, jobId, deadline, 0n]),
      parseEther('1'),
    );
    await (
      await attacker.getFunction('arm')(
        chain.deployment.market,
        marketIface.encodeFunctionData('cancel', [jobId]),
      )
    ).wait();
    const marketBefore = await chain.provider.getBalance(chain.deployment.market);
    await exec(chain.deployment.market, marketIface.encodeFunctionData('cancel', [jobId]));
    assert.equal(await attacker.getFunction('reentryAttempts')(), 1n);
    assert.equal(await attacker.getFunction('reentrySucceeded')(), false);
    assert.equal(await chain.provider.getBalance(attackerAddress), parseEther('1'));
    assert.equal(marketBefore - (await chain.provider.getBalance(chain.deployment.market)), parseEther('1'));

    // Prover: withdraw re-enters withdraw.
    const art2 = await new ContractFactory(art.abi, art.bytecode, chain.wallets[8]).deploy();
    await art2.waitForDeployment();
    const proverAttacker = art2;
    const exec2 = async (to: string, data: string, value = 0n) =>
      (await proverAttacker.getFunction('execute')(to, data, value, { value })).wait();
    await exec2(chain.deployment.staking, stakingIface.encodeFunctionData('register', ['evil', '']));
    await exec2(chain.deployment.staking, stakingIface.encodeFunctionData('stake', []), parseEther('2'));
    await exec2(
      chain.deployment.staking,
      stakingIface.encodeFunctionData('requestUnstake', [parseEther('2')]),
    );
    await chain.advance(COOLDOWN + 1);
    await (
      await proverAttacker.getFunction('arm')(
        chain.deployment.staking,
        stakingIface.encodeFunctionData('withdraw', []),
      )
    ).wait();
    await exec2(chain.deployment.staking, stakingIface.encodeFunctionData('withdraw', []));
    assert.equal(await proverAttacker.getFunction('reentrySucceeded')(), false);
    assert.equal(await chain.provider.getBalance(await proverAttacker.getAddress()), parseEther('2'));
  });
});
