// Randomized actions by several accounts against Staking and Market on anvil (signed bids, real
// proofs, slashes after attempt deadlines, hand-backs), checked after every step against a model
// of what each account is owed: contract balances equal escrow + stakes + unclaimed, and every
// account's stake and claimable amounts equal the model's (never more).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { keccak256, toUtf8Bytes } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { MIN_STAKE_WEI } from '../../services/shared/chain/deployment.js';
import { seededRandom } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { contractHelpers, deployRealCircuit, type RealCircuit } from '../fixtures/contracts.js';
import {
  checkInvariants,
  expectation,
  type JobModel,
  type ProverModel,
} from '../fixtures/invariant-model.js';

const STEPS = Number(process.env.GAVEL_INVARIANT_STEPS ?? 200);
const SEED = Number(process.env.GAVEL_INVARIANT_SEED ?? Date.now() % 1_000_000);
const COOLDOWN = 300;
/** The success paths every run must take at least once. */
const SUCCESS_PATHS = ['stake:ok', 'openJob:ok', 'assign:ok', 'fulfil:ok'];
const SHARE_BPS = 4000n;
const BOUNTY_BPS = 1000n;
const PROVERS = [1, 2, 3];
const REQUESTERS = [4, 5, 6];
const OUTSIDER = 7;
const E = 10n ** 15n; // amounts in milli-ether

let chain: Chain;
let circuit: RealCircuit;
const h = contractHelpers(
  () => chain,
  () => circuit,
);
before(async () => {
  chain = await startChain({
    cooldownSeconds: COOLDOWN,
    requesterShareBps: Number(SHARE_BPS),
    bountyShareBps: Number(BOUNTY_BPS),
  });
  circuit = await deployRealCircuit(chain, 1);
});
after(async () => {
  await chain.stop();
});

test(`random actions keep balances equal to what is owed (seed ${SEED}, ${STEPS} steps)`, async () => {
  const rnd = seededRandom(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const amount = (maxMilli: number) => BigInt(1 + Math.floor(rnd() * maxMilli)) * E;

  const provers = new Map<number, ProverModel>(
    PROVERS.map((i) => [i, { registered: false, stake: 0n, locked: 0n, pending: 0n, readyAt: 0 }]),
  );
  const jobs: JobModel[] = [];
  const marketOwed = new Map<number, bigint>();
  const stakingOwed = new Map<number, bigint>();
  const credit = (m: Map<number, bigint>, i: number, v: bigint) => m.set(i, (m.get(i) ?? 0n) + v);
  const counts: Record<string, number> = {};

  const free = (p: ProverModel) => p.stake - p.locked - p.pending;
  const slashInModel = (job: JobModel) => {
    const p = provers.get(job.prover) as ProverModel;
    p.stake -= job.collateral;
    p.locked -= job.collateral;
    const toSlasher = (job.collateral * BOUNTY_BPS) / 10_000n;
    const toRequester = (job.collateral * SHARE_BPS) / 10_000n;
    credit(stakingOwed, OUTSIDER, toSlasher);
    credit(stakingOwed, job.requester, toRequester);
    credit(stakingOwed, 0, job.collateral - toSlasher - toRequester); // treasury = account 0
  };
  /** After a slash or hand-back: the next attempt while time remains, else expired and refunded. */
  const reopenInModel = (job: JobModel, at: number) => {
    Object.assign(job, { prover: 0, price: 0n, attempt: job.attempt + 1, attemptDeadline: 0 });
    if (at < job.deadline) job.status = 'Open';
    else {
      job.status = 'Expired';
      credit(marketOwed, job.requester, job.reserve);
    }
  };

  const expect = expectation(counts);
  // Two of the three provers start registered and staked (the third goes through registration),
  // so assignments, payments and slashes happen often in every run.
  for (const i of PROVERS.slice(0, 2)) {
    await chain.as(i).registerProver(`p${i}`, '', 3000n * E);
    Object.assign(provers.get(i) as ProverModel, { registered: true, stake: 3000n * E });
  }

  // At least STEPS steps, and on (up to 4 × STEPS) until every success path has run: a seed whose
  // first 200 steps never paid a job (seed 600313: 3 assignments, each ended another way) must
  // not fail a run whose invariants all held.
  const covered = () => SUCCESS_PATHS.every((key) => (counts[key] ?? 0) > 0);
  let step = 0;
  for (; step < STEPS || (!covered() && step < 4 * STEPS); step++) {
    const now = await chain.now();
    // Deadlines within a few seconds of "now" would make the outcome depend on block timing.
    const clear = (deadline: number) => Math.abs(deadline - now) > 5;
    // Paying for proofs is the path that matters most: tried more often while a job is on time.
    const payable = jobs.some((j) => j.status === 'Assigned' && now + 5 < j.attemptDeadline);
    const action = payable && rnd() < 0.15 ? 6 : Math.floor(rnd() * 13);
    // Mostly act on live jobs and on provers that can take them, so success paths run often.
    const live = jobs.filter((j) => j.status === 'Open' || j.status === 'Assigned');
    const job = live.length > 0 && rnd() < 0.85 ? pick(live) : jobs.length > 0 ? pick(jobs) : undefined;
    const target = job;
    const able = PROVERS.filter((i) => {
      const m = provers.get(i) as ProverModel;
      return m.registered && job !== undefined && free(m) >= job.collateral;
    });
    const p = able.length > 0 && rnd() < 0.7 ? pick(able) : pick(PROVERS);
    const pm = provers.get(p) as ProverModel;
    const r = pick(REQUESTERS);

    switch (action) {
      case 0:
        if (
          await expect('register', pm.registered ? 'AlreadyRegistered' : undefined, () =>
            chain.as(p).registerProver(`p${p}`, '', MIN_STAKE_WEI),
          )
        ) {
          pm.registered = true;
          pm.stake += MIN_STAKE_WEI;
        }
        break;
      case 1: {
        const v = amount(3000);
        if (await expect('stake', pm.registered ? undefined : 'NotRegistered', () => chain.as(p).stake(v)))
          pm.stake += v;
        break;
      }
      case 2: {
        const v = amount(2000);
        const err = !pm.registered ? 'NotRegistered' : v > free(pm) ? 'InsufficientFreeStake' : undefined;
        if (await expect('requestUnstake', err, () => chain.as(p).requestUnstake(v))) {
          pm.pending += v;
          pm.readyAt = (await chain.now()) + COOLDOWN;
        }
        break;
      }
      case 3: {
        if (pm.pending > 0n && !clear(pm.readyAt)) break;
        const err = !pm.registered
          ? 'NotRegistered'
          : pm.pending === 0n
            ? 'NothingToWithdraw'
            : now < pm.readyAt
              ? 'CooldownActive'
              : undefined;
        if (await expect('withdraw', err, () => chain.as(p).withdraw())) {
          pm.stake -= pm.pending;
          pm.pending = 0n;
        }
        break;
      }
      case 4: {
        const j: JobModel = {
          id: keccak256(toUtf8Bytes(`inv-${SEED}-${step}`)),
          requester: r,
          status: 'Open',
          prover: 0,
          reserve: amount(1000),
          price: 0n,
          collateral: amount(800),
          deadline: now + 60 + Math.floor(rnd() * 600),
          attempt: 0,
          attemptDeadline: 0,
        };
        const ok = await expect('openJob', undefined, () =>
          h.openJobWithId(r, j.id, { reserve: j.reserve, collateral: j.collateral, deadline: j.deadline }),
        );
        if (ok) jobs.push(j);
        break;
      }
      case 5: {
        if (!job || !clear(job.deadline)) break;
        const delivery = 60 + Math.floor(rnd() * 300);
        // A delivery time ending within a few seconds of the deadline depends on block timing.
        if (!clear(job.deadline - delivery)) break;
        // The winner's bid, a runner-up's at or above it (or none), sometimes above the reserve.
        const bidPrice = (job.reserve * BigInt(Math.floor(rnd() * 101))) / 100n;
        const other = PROVERS.find((i) => i !== p) as number;
        const up = rnd() < 0.5 ? (rnd() < 0.1 ? job.reserve + 1n : bidPrice + amount(50)) : undefined;
        const price = up ?? job.reserve;
        const err =
          job.status !== 'Open'
            ? 'WrongStatus'
            : now >= job.deadline
              ? 'DeadlinePassed'
              : price > job.reserve
                ? 'PriceAboveReserve'
                : now + delivery > job.deadline
                  ? 'DeliveryPastDeadline'
                  : !pm.registered
                    ? 'NotRegistered'
                    : job.collateral > free(pm)
                      ? 'InsufficientFreeStake'
                      : undefined;
        const winner = await h.bid(p, job.id, bidPrice, { attempt: job.attempt, deliverySeconds: delivery });
        const second =
          up === undefined ? undefined : await h.bid(other, job.id, up, { attempt: job.attempt });
        if (await expect('assign', err, () => chain.as(0).assign(job.id, winner, second))) {
          job.status = 'Assigned';
          job.prover = p;
          job.price = price;
          job.attemptDeadline = (await chain.now()) + delivery;
          pm.locked += job.collateral;
        }
        break;
      }
      case 6: {
        // Mostly a job still on time, so payments happen often.
        const onTime = jobs.filter((j) => j.status === 'Assigned' && now + 5 < j.attemptDeadline);
        const job = onTime.length > 0 && rnd() < 0.8 ? pick(onTime) : target;
        if (!job || (job.status === 'Assigned' && !clear(job.attemptDeadline))) break;
        const garbage = rnd() < 0.2;
        const err =
          job.status !== 'Assigned'
            ? 'WrongStatus'
            : now > job.attemptDeadline
              ? 'AttemptDeadlinePassed'
              : garbage
                ? 'InvalidProof'
                : undefined;
        const items = h
          .itemProofs(job.id)
          .map((i) => (garbage ? { ...i, proof: `0x${'00'.repeat(64)}` } : i));
        if (await expect('fulfil', err, () => chain.as(OUTSIDER).fulfil(job.id, items))) {
          job.status = 'Settled';
          credit(marketOwed, job.prover, job.price);
          credit(marketOwed, job.requester, job.reserve - job.price);
          (provers.get(job.prover) as ProverModel).locked -= job.collateral;
        }
        break;
      }
      case 7: {
        if (!job || (job.status === 'Assigned' && !clear(job.attemptDeadline))) break;
        // A hand-back signed by the assigned prover, or by somebody else; too late after its deadline.
        const signer = job.status === 'Assigned' && rnd() < 0.7 ? job.prover : p;
        const err =
          job.status !== 'Assigned'
            ? 'WrongStatus'
            : now > job.attemptDeadline
              ? 'AttemptDeadlinePassed'
              : signer !== job.prover
                ? 'NotAssignedProver'
                : undefined;
        const sig = await h.handBackSignature(signer, job.id, job.attempt);
        if (await expect('handBack', err, () => chain.as(OUTSIDER).handBack(job.id, job.attempt, sig))) {
          (provers.get(job.prover) as ProverModel).locked -= job.collateral;
          reopenInModel(job, await chain.now());
        }
        break;
      }
      case 8: {
        if (!job || (job.status === 'Assigned' && !clear(job.attemptDeadline))) break;
        const err =
          job.status !== 'Assigned'
            ? 'WrongStatus'
            : now <= job.attemptDeadline
              ? 'AttemptDeadlineNotPassed'
              : undefined;
        if (await expect('slashLate', err, () => chain.as(OUTSIDER).slashLate(job.id))) {
          slashInModel(job);
          reopenInModel(job, await chain.now());
        }
        break;
      }
      case 9: {
        if (!job || !clear(job.deadline)) break;
        const err =
          job.status !== 'Open' ? 'WrongStatus' : now <= job.deadline ? 'DeadlineNotPassed' : undefined;
        if (await expect('expire', err, () => chain.as(OUTSIDER).expire(job.id))) {
          credit(marketOwed, job.requester, job.reserve);
          job.status = 'Expired';
        }
        break;
      }
      case 10: {
        if (!job) break;
        const caller = rnd() < 0.8 ? job.requester : pick(REQUESTERS);
        const err =
          job.status !== 'Open' ? 'WrongStatus' : caller !== job.requester ? 'NotRequester' : undefined;
        if (await expect('cancel', err, () => chain.as(caller).cancel(job.id))) job.status = 'Cancelled';
        break;
      }
      case 11: {
        const who = pick([0, ...PROVERS, ...REQUESTERS]);
        const market = rnd() < 0.5;
        const owed = (market ? marketOwed : stakingOwed).get(who) ?? 0n;
        const ok = await expect(
          market ? 'claimMarket' : 'claimStaking',
          owed === 0n ? 'NothingToClaim' : undefined,
          () => (market ? chain.as(who).claimMarket() : chain.as(who).claimStaking()),
        );
        if (ok) (market ? marketOwed : stakingOwed).set(who, 0n);
        break;
      }
      default:
        await chain.advance(10 + Math.floor(rnd() * 120));
    }

    // ── invariants after every step ─────────────────────────────────────────
    await checkInvariants(chain, step, {
      jobs,
      provers,
      marketOwed,
      stakingOwed,
      accounts: [0, ...PROVERS, ...REQUESTERS],
    });
  }
  console.log(`invariants held for ${step} steps (seed ${SEED}):`, JSON.stringify(counts));
  // The run must have exercised the interesting paths, not only reverts.
  for (const key of SUCCESS_PATHS) assert.ok((counts[key] ?? 0) > 0, `never ran ${key} in ${step} steps`);
});
