// Staking and Market on a real anvil with a real circuit verifier: opening, assignment on signed
// bids, payment on proofs verified on-chain, and every revert of those paths.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseEther, type Wallet } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { contractHelpers, deployRealCircuit, type RealCircuit, reverts } from '../fixtures/contracts.js';

const COOLDOWN = 600;
let chain: Chain;

let circuit: RealCircuit;

before(async () => {
  chain = await startChain({ cooldownSeconds: COOLDOWN, requesterShareBps: 6000 });
  circuit = await deployRealCircuit(chain);
});
after(async () => {
  await chain.stop();
});

const coordinator = () => chain.as(0);
const address = (i: number) => (chain.wallets[i] as Wallet).address;
const { newJobId, registeredProver, openJob, bid, itemProofs, handBackSignature } = contractHelpers(
  () => chain,
  () => circuit,
);

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

  test('registration is not free: it stakes at least the minimum, and standing needs it kept (review N8)', async () => {
    const c = chain.as(8);
    const minimum = (await c.staking.getFunction('minStake')()) as bigint;
    assert.ok(minimum > 0n);
    const err = await reverts(c.registerProver('cheap', '', minimum - 1n), 'StakeBelowMinimum');
    assert.match(err.message, /registering needs a stake of at least/);
    await c.registerProver('fair', '', minimum);
    assert.equal((await c.proverInfo(address(8))).stake, minimum);
    assert.equal(await c.staking.getFunction('isRegistered')(address(8)), true);
    // Asking to withdraw below the minimum ends its good standing (no credentials, no bids).
    await c.requestUnstake(1n);
    assert.equal(await c.staking.getFunction('isRegistered')(address(8)), false);
  });

  test('only the market may lock, release or slash collateral', async () => {
    const staking = chain.as(2).staking;
    for (const [method, args] of [
      ['lock', [address(1), newJobId(), 1n]],
      ['release', [address(1), newJobId()]],
      ['slash', [address(1), newJobId(), address(2), address(2)]],
    ] as const) {
      await reverts(
        (async () => {
          try {
            await staking.getFunction(method)(...args);
          } catch (e) {
            const { decodeContractError } = await import('../../services/shared/chain/contract-errors.js');
            throw decodeContractError(e);
          }
        })(),
        'NotMarket',
      );
    }
    await reverts(chain.as(2).claimStaking(), 'NothingToClaim');
  });
});

describe('Market: opening and assignment', () => {
  before(async () => {
    await registeredProver(3, '10');
    await registeredProver(5, '10');
  });

  test('open → assign with signed bids → fulfil with real proofs pays the second price', async () => {
    const jobId = await openJob(4, { reserve: '2', collateral: '1' });
    assert.equal((await coordinator().job(jobId)).status, 'Open');
    const winner = await bid(3, jobId, parseEther('1'), { deliverySeconds: 500 });
    const runnerUp = await bid(5, jobId, parseEther('1.25'));
    await coordinator().assign(jobId, winner, runnerUp);
    let job = await coordinator().job(jobId);
    assert.equal(job.status, 'Assigned');
    assert.equal(job.prover, address(3));
    assert.equal(job.price, parseEther('1.25'), "the runner-up's bid sets the price");
    assert.equal(job.attemptDeadline, (await chain.now()) + 500, "the winner's own delivery time");
    assert.equal((await chain.as(3).proverInfo(address(3))).locked, parseEther('1'));

    const proverBefore = await coordinator().marketClaimable(address(3));
    const requesterBefore = await coordinator().marketClaimable(address(4));
    // Anyone holding the proofs may fulfil: here a third party (account 7), one item at a time.
    await chain.as(7).fulfil(jobId, itemProofs(jobId, [1]));
    assert.equal((await coordinator().job(jobId)).status, 'Assigned');
    // An item verified already is skipped, not refused (review N15: a relay racing the prover's
    // own fulfilment both go through): nothing is counted twice.
    await chain.as(7).fulfil(jobId, itemProofs(jobId, [1]));
    assert.equal((await coordinator().job(jobId)).verified, 1);
    // The same item twice in the call that completes the job counts once.
    await chain.as(7).fulfil(jobId, itemProofs(jobId, [0, 0, 1]));
    job = await coordinator().job(jobId);
    assert.equal(job.status, 'Settled');
    assert.deepEqual(
      await Promise.all([0, 1, 2].map((i) => coordinator().isItemVerified(jobId, i))),
      [true, true, false],
      'every item of a settled job counts as verified, and no other',
    );
    assert.equal((await coordinator().marketClaimable(address(3))) - proverBefore, parseEther('1.25'));
    assert.equal((await coordinator().marketClaimable(address(4))) - requesterBefore, parseEther('0.75'));
    assert.equal((await chain.as(3).proverInfo(address(3))).locked, 0n);
    await reverts(chain.as(7).fulfil(jobId, itemProofs(jobId)), 'WrongStatus');
  });

  test('an attempt the chain never saw may be skipped, never reused', async () => {
    // The coordinator's attempts 0 and 1 never reached the chain (refused, say): attempt 2 may.
    const jobId = await openJob(4);
    await coordinator().assign(jobId, await bid(3, jobId, 1n, { attempt: 2 }));
    assert.equal((await coordinator().job(jobId)).attempt, 2);
    await chain.as(3).handBack(jobId, 2, await handBackSignature(3, jobId, 2));
    assert.equal((await coordinator().job(jobId)).attempt, 3);
    await reverts(coordinator().assign(jobId, await bid(3, jobId, 1n, { attempt: 2 })), 'BidForOtherJob');
    const mixed = coordinator().assign(
      jobId,
      await bid(3, jobId, 1n, { attempt: 4 }),
      await bid(5, jobId, 2n, { attempt: 3 }),
    );
    await reverts(mixed, 'BidForOtherJob');
  });

  test('no runner-up pays the reserve; first price pays the winner its own bid', async () => {
    const second = await openJob(4, { reserve: '2' });
    await coordinator().assign(second, await bid(3, second, parseEther('1')));
    assert.equal((await coordinator().job(second)).price, parseEther('2'));
    const first = await openJob(4, { reserve: '2', rule: 'FIRST_PRICE' });
    await coordinator().assign(first, await bid(5, first, parseEther('0.5')));
    assert.equal((await coordinator().job(first)).price, parseEther('0.5'));
  });

  test('open refuses duplicates, empty escrow, no items, past deadlines and unregistered verifiers', async () => {
    const jobId = await openJob(4);
    const r = chain.as(4);
    const c = circuit;
    const base = {
      vkHash: c.vkHash,
      verifier: c.verifier,
      inputsHash: jobId,
      publicInputsRoot: jobId,
      items: 1,
      collateral: 0n,
      rule: 'SECOND_PRICE' as const,
    };
    const soon = (await chain.now()) + 100;
    await reverts(r.openJob({ ...base, jobId, deadline: soon, reserve: 1n }), 'JobExists');
    await reverts(r.openJob({ ...base, jobId: newJobId(), deadline: soon, reserve: 0n }), 'ZeroReserve');
    await reverts(
      r.openJob({ ...base, jobId: newJobId(), deadline: soon, reserve: 1n, items: 0 }),
      'NoItems',
    );
    const past = (await chain.now()) - 1;
    await reverts(r.openJob({ ...base, jobId: newJobId(), deadline: past, reserve: 1n }), 'DeadlineInPast');
    const stranger = { ...base, jobId: newJobId(), deadline: soon, reserve: 1n, verifier: address(8) };
    await reverts(r.openJob(stranger), 'UnregisteredVerifier');
  });

  test('assignment checks role, signatures, bids, prices, reserve, deadline and free stake', async () => {
    const jobId = await openJob(4, { reserve: '2', collateral: '100' });
    const good = await bid(3, jobId, parseEther('1'));
    await reverts(chain.as(5).assign(jobId, good), 'NotCoordinator');
    const forged = { ...good, bid: { ...good.bid, price: parseEther('0.1') } };
    await reverts(coordinator().assign(jobId, forged), 'BidSignerMismatch');
    await reverts(coordinator().assign(jobId, await bid(3, newJobId(), 1n)), 'BidForOtherJob');
    await reverts(coordinator().assign(jobId, await bid(3, jobId, 1n, { expiry: 1 })), 'BidExpired');
    await reverts(
      coordinator().assign(jobId, await bid(3, jobId, 1n, { deliverySeconds: 0 })),
      'ZeroDeliveryTime',
    );
    const cheaper = await bid(5, jobId, parseEther('0.5'));
    await reverts(coordinator().assign(jobId, good, cheaper), 'WinnerAboveRunnerUp');
    await reverts(
      coordinator().assign(jobId, good, await bid(3, jobId, parseEther('1.5'))),
      'RunnerUpIsWinner',
    );
    await reverts(
      coordinator().assign(jobId, good, await bid(5, jobId, parseEther('3'))),
      'PriceAboveReserve',
    );
    const err = await reverts(coordinator().assign(jobId, good), 'InsufficientFreeStake');
    assert.match(err.message, /100 ETH requested/);
    await reverts(coordinator().assign(jobId, await bid(9, jobId, 1n)), 'NotRegistered');
    await reverts(coordinator().assign(newJobId(), good), 'UnknownJob');

    const late = await openJob(4, { ttl: 60 });
    const lateBid = await bid(3, late, 1n, { expiry: (await chain.now()) + 10_000 });
    await chain.advance(61);
    await reverts(coordinator().assign(late, lateBid), 'DeadlinePassed');
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
    await coordinator().assign(assigned, await bid(3, assigned, 1n));
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
          const { decodeContractError } = await import('../../services/shared/chain/contract-errors.js');
          throw decodeContractError(e);
        }),
      'OwnableUnauthorizedAccount',
    );
  });

  test('ownership moves in two steps: the new owner accepts it, and only then the old one is out', async () => {
    const owner = chain.as(0).market;
    const heir = chain.as(6).market;
    await (await owner.getFunction('transferOwnership')(address(6))).wait();
    assert.equal(String(await heir.getFunction('pendingOwner')()), address(6));
    assert.equal(
      String(await heir.getFunction('owner')()),
      address(0),
      'nothing moves before it is accepted',
    );
    await reverts(
      chain
        .as(5)
        .market.getFunction('acceptOwnership')()
        .catch(async (e: unknown) => {
          const { decodeContractError } = await import('../../services/shared/chain/contract-errors.js');
          throw decodeContractError(e);
        }),
      'OwnableUnauthorizedAccount',
    );
    await (await heir.getFunction('acceptOwnership')()).wait();
    await (await heir.getFunction('setCoordinator')(address(7), true)).wait();
    await reverts(
      owner
        .getFunction('setCoordinator')(address(7), false)
        .catch(async (e: unknown) => {
          const { decodeContractError } = await import('../../services/shared/chain/contract-errors.js');
          throw decodeContractError(e);
        }),
      'OwnableUnauthorizedAccount',
    );
    // Handed back, so the other tests find the deployer still the owner.
    await (await heir.getFunction('setCoordinator')(address(7), false)).wait();
    await (await heir.getFunction('transferOwnership')(address(0))).wait();
    await (await owner.getFunction('acceptOwnership')()).wait();
    assert.equal(String(await owner.getFunction('owner')()), address(0));
  });
});
