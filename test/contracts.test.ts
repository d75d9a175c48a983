// Staking and Market on a real anvil: every success path and every revert the issue lists.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { keccak256, parseEther, toUtf8Bytes, type Wallet } from 'ethers';
import { type Chain, startChain } from '../services/devstack/local-chain.js';
import type { GavelContracts } from '../services/shared/chain/gavel-contracts.js';
import { contractHelpers, reverts } from './fixtures/contracts.js';

const COOLDOWN = 600;
let chain: Chain;

before(async () => {
  chain = await startChain({ cooldownSeconds: COOLDOWN, requesterShareBps: 6000 });
});
after(async () => {
  await chain.stop();
});

const coordinator = () => chain.as(0);
const address = (i: number) => (chain.wallets[i] as Wallet).address;
const { newJobId, registeredProver, openJob } = contractHelpers(() => chain);

describe('Staking', () => {
  test('register, stake, unstake with cooldown, withdraw', async () => {
    const p = await registeredProver(1, '5');
    let info = await p.proverInfo(address(1));
    assert.equal(info.registered, true);
    assert.equal(info.name, 'prover-1');
    assert.equal(info.stake, parseEther('5'));
    assert.equal(info.free, parseEther('5'));

    await reverts(p.registerProver('again', ''), 'AlreadyRegistered');
    await reverts(p.stake(0n), 'ZeroAmount');
    await reverts(p.requestUnstake(parseEther('6')), 'InsufficientFreeStake');
    await reverts(p.withdraw(), 'NothingToWithdraw');

    await p.requestUnstake(parseEther('2'));
    info = await p.proverInfo(address(1));
    assert.equal(info.unstakePending, parseEther('2'));
    assert.equal(info.free, parseEther('3'));
    const err = await reverts(p.withdraw(), 'CooldownActive');
    assert.match(err.message, /cooldown ends at/);

    await chain.advance(COOLDOWN + 1);
    const before = await chain.provider.getBalance(address(1));
    const receipt = await p.withdraw();
    const gas = receipt.gasUsed * receipt.gasPrice;
    assert.equal(await chain.provider.getBalance(address(1)), before + parseEther('2') - gas);
    info = await p.proverInfo(address(1));
    assert.equal(info.stake, parseEther('3'));
    assert.equal(info.unstakePending, 0n);
  });

  test('unregistered accounts and empty names are refused', async () => {
    const c = chain.as(9);
    const err = await reverts(c.stake(parseEther('1')), 'NotRegistered');
    assert.match(err.message, /is not a registered prover/);
    await reverts(c.registerProver('', 'x'), 'EmptyName');
  });

  test('only the market may lock, release or slash collateral', async () => {
    const staking = chain.as(2).staking;
    for (const [method, args] of [
      ['lock', [address(1), newJobId(), 1n]],
      ['release', [address(1), newJobId()]],
      ['slash', [address(1), newJobId(), address(2)]],
    ] as const) {
      await reverts(
        (async () => {
          try {
            await staking.getFunction(method)(...args);
          } catch (e) {
            const { decodeContractError } = await import('../services/shared/chain/contract-errors.js');
            throw decodeContractError(e);
          }
        })(),
        'NotMarket',
      );
    }
    await reverts(chain.as(2).claimStaking(), 'NothingToClaim');
  });
});

describe('Market', () => {
  let prover: GavelContracts;
  before(async () => {
    prover = await registeredProver(3, '10');
  });

  test('open → assign → settle pays the clearing price and refunds the rest', async () => {
    const jobId = await openJob(4, { reserve: '2', collateral: '1' });
    assert.equal((await coordinator().job(jobId)).status, 'Open');
    await coordinator().assign(jobId, address(3), parseEther('1.25'));
    let job = await coordinator().job(jobId);
    assert.equal(job.status, 'Assigned');
    assert.equal(job.prover, address(3));
    assert.equal((await prover.proverInfo(address(3))).locked, parseEther('1'));

    const proverBefore = await coordinator().marketClaimable(address(3));
    const requesterBefore = await coordinator().marketClaimable(address(4));
    await coordinator().settle(jobId, keccak256(toUtf8Bytes('proofs')));
    job = await coordinator().job(jobId);
    assert.equal(job.status, 'Settled');
    assert.equal((await coordinator().marketClaimable(address(3))) - proverBefore, parseEther('1.25'));
    assert.equal((await coordinator().marketClaimable(address(4))) - requesterBefore, parseEther('0.75'));
    assert.equal((await prover.proverInfo(address(3))).locked, 0n);

    await reverts(coordinator().settle(jobId, keccak256(toUtf8Bytes('again'))), 'WrongStatus');
    const claimBefore = await chain.provider.getBalance(address(3));
    const receipt = await prover.claimMarket();
    assert.equal(
      await chain.provider.getBalance(address(3)),
      claimBefore + proverBefore + parseEther('1.25') - receipt.gasUsed * receipt.gasPrice,
    );
  });

  test('open refuses duplicates, empty escrow and past deadlines', async () => {
    const jobId = await openJob(4);
    const r = chain.as(4);
    const base = { vkHash: jobId, inputsHash: jobId, collateral: 0n };
    await reverts(
      r.openJob({ ...base, jobId, deadline: (await chain.now()) + 100, reserve: 1n }),
      'JobExists',
    );
    await reverts(
      r.openJob({ ...base, jobId: newJobId(), deadline: (await chain.now()) + 100, reserve: 0n }),
      'ZeroReserve',
    );
    await reverts(
      r.openJob({ ...base, jobId: newJobId(), deadline: (await chain.now()) - 1, reserve: 1n }),
      'DeadlineInPast',
    );
  });

  test('assignment checks role, reserve, deadline and free stake', async () => {
    const jobId = await openJob(4, { reserve: '2', collateral: '100' });
    await reverts(chain.as(5).assign(jobId, address(3), 1n), 'NotCoordinator');
    await reverts(coordinator().assign(jobId, address(3), parseEther('3')), 'PriceAboveReserve');
    const err = await reverts(
      coordinator().assign(jobId, address(3), parseEther('1')),
      'InsufficientFreeStake',
    );
    assert.match(err.message, /100 ETH requested/);
    await reverts(coordinator().assign(jobId, address(9), parseEther('1')), 'NotRegistered');
    await reverts(coordinator().assign(newJobId(), address(3), 1n), 'UnknownJob');

    const late = await openJob(4, { ttl: 60 });
    await chain.advance(61);
    await reverts(coordinator().assign(late, address(3), 1n), 'DeadlinePassed');
  });

  test('settle after the deadline is refused; anyone may then slash and the requester is refunded', async () => {
    const jobId = await openJob(4, { reserve: '2', collateral: '1', ttl: 120 });
    await coordinator().assign(jobId, address(3), parseEther('1'));
    await reverts(chain.as(6).slash(jobId, address(3)), 'DeadlineNotPassed');
    await chain.advance(121);
    await reverts(coordinator().settle(jobId, jobId), 'DeadlinePassed');
    await reverts(chain.as(6).slash(jobId, address(5)), 'WrongProver');

    const stakeBefore = (await prover.proverInfo(address(3))).stake;
    const requesterBefore = await coordinator().marketClaimable(address(4));
    const compBefore = (await coordinator().proverInfo(address(4))).claimable;
    const treasuryBefore = (await coordinator().proverInfo(address(0))).claimable;
    await chain.as(6).slash(jobId, address(3));
    assert.equal((await coordinator().job(jobId)).status, 'Expired');
    assert.equal(stakeBefore - (await prover.proverInfo(address(3))).stake, parseEther('1'));
    assert.equal((await coordinator().marketClaimable(address(4))) - requesterBefore, parseEther('2'));
    // 60% of the slashed collateral compensates the requester, 40% goes to the treasury (account 0).
    assert.equal((await coordinator().proverInfo(address(4))).claimable - compBefore, parseEther('0.6'));
    assert.equal((await coordinator().proverInfo(address(0))).claimable - treasuryBefore, parseEther('0.4'));
    await reverts(chain.as(6).slash(jobId, address(3)), 'WrongStatus');
  });

  test('a settled job cannot be slashed', async () => {
    const jobId = await openJob(4, { ttl: 120 });
    await coordinator().assign(jobId, address(3), 1n);
    await coordinator().settle(jobId, jobId);
    await chain.advance(121);
    await reverts(chain.as(6).slash(jobId, address(3)), 'WrongStatus');
  });

  test('reopen after a failure slashes (or releases) the failed prover and allows a new assignment', async () => {
    const jobId = await openJob(4, { collateral: '1' });
    await coordinator().assign(jobId, address(3), 1n);
    const stakeBefore = (await prover.proverInfo(address(3))).stake;
    await coordinator().reopen(jobId, true);
    assert.equal(stakeBefore - (await prover.proverInfo(address(3))).stake, parseEther('1'));
    let job = await coordinator().job(jobId);
    assert.equal(job.status, 'Open');
    assert.equal(job.prover, '0x0000000000000000000000000000000000000000');

    await coordinator().assign(jobId, address(3), 2n);
    await coordinator().reopen(jobId, false);
    assert.equal((await prover.proverInfo(address(3))).locked, 0n);
    await reverts(chain.as(5).reopen(jobId, true), 'NotCoordinator');
    job = await coordinator().job(jobId);
    assert.equal(job.status, 'Open');
  });

  test('cancel before assignment refunds everything; after assignment it is refused', async () => {
    const jobId = await openJob(4, { reserve: '3' });
    await reverts(chain.as(5).cancel(jobId), 'NotRequester');
    const before = await chain.provider.getBalance(address(4));
    const receipt = await chain.as(4).cancel(jobId);
    assert.equal(
      await chain.provider.getBalance(address(4)),
      before + parseEther('3') - receipt.gasUsed * receipt.gasPrice,
    );
    assert.equal((await coordinator().job(jobId)).status, 'Cancelled');

    const assigned = await openJob(4);
    await coordinator().assign(assigned, address(3), 1n);
    await reverts(chain.as(4).cancel(assigned), 'WrongStatus');
  });

  test('an open job past its deadline expires with a full refund', async () => {
    const jobId = await openJob(4, { reserve: '1.5', ttl: 30 });
    await reverts(chain.as(7).expire(jobId), 'DeadlineNotPassed');
    await chain.advance(31);
    const before = await coordinator().marketClaimable(address(4));
    await chain.as(7).expire(jobId);
    assert.equal((await coordinator().marketClaimable(address(4))) - before, parseEther('1.5'));
  });

  test('only the owner grants the coordinator role', async () => {
    const market = chain.as(5).market;
    await reverts(
      market
        .getFunction('setCoordinator')(address(5), true)
        .catch(async (e: unknown) => {
          const { decodeContractError } = await import('../services/shared/chain/contract-errors.js');
          throw decodeContractError(e);
        }),
      'NotOwner',
    );
  });
});
