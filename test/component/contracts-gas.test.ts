// Transactions whose cost or outcome another sender changes between their estimate and their
// mining. Two coordinator replicas (or a coordinator and a prover) send at the same moment: an
// assignment is estimated while the prover still has collateral locked, and mined just after a
// hand-back released it. Writing the prover's `locked` from zero costs ~17k more gas than the
// estimate saw; sent at the bare estimate, the assignment ran out of gas on-chain and reverted
// with no reason (seen in the cluster fault test). Gavel's sends carry a margin over the estimate,
// and a transaction mined reverted says which contract error reverted it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { JsonRpcProvider, parseEther, type TransactionRequest, Wallet } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { devKey } from '../../services/infra/anvil.js';
import { AuctionAudit } from '../../services/shared/chain/auction-audit.js';
import { GavelContracts } from '../../services/shared/chain/gavel-contracts.js';
import { contractHelpers, deployRealCircuit, type RealCircuit, reverts } from '../fixtures/contracts.js';

/** A provider that runs `between` once, after the next estimate and before the send it is for. */
class RacingProvider extends JsonRpcProvider {
  between?: () => Promise<unknown>;
  override async estimateGas(tx: TransactionRequest): Promise<bigint> {
    const gas = await super.estimateGas(tx);
    const race = this.between;
    this.between = undefined;
    if (race) await race();
    return gas;
  }
}

let chain: Chain;
let circuit: RealCircuit;
let racing: RacingProvider;
/** Account 0, the coordinator, sending through the racing provider. */
let coordinator: GavelContracts;

before(async () => {
  chain = await startChain();
  circuit = await deployRealCircuit(chain, 2);
  await h.registeredProver(3, '10');
  racing = new RacingProvider(chain.anvil.url, undefined, { cacheTimeout: -1, pollingInterval: 100 });
  coordinator = new GavelContracts(chain.deployment, new Wallet(devKey(0), racing));
});
after(async () => {
  racing?.destroy();
  await chain?.stop();
});

const h = contractHelpers(
  () => chain,
  () => circuit,
);

test('an assignment estimated before a hand-back released the prover, mined after it, succeeds', async () => {
  const first = await h.openJob(4);
  await chain.as(0).assign(first, await h.bid(3, first, parseEther('1')));
  const second = await h.openJob(4);
  const winner = await h.bid(3, second, parseEther('1'));
  const handBack = await h.handBackSignature(3, first, 0);
  // Estimated while the prover's collateral for `first` is locked; the hand-back (relayed by
  // account 5) is mined before the assignment is sent.
  racing.between = () => chain.as(5).handBack(first, 0, handBack);
  const receipt = await coordinator.assign(second, winner);
  assert.equal(receipt.status, 1);
  assert.equal(racing.between, undefined, 'the hand-back ran between estimate and send');
  const job = await chain.as(0).job(second);
  assert.equal(job.prover, (chain.wallets[3] as Wallet).address);
  assert.equal((await chain.as(0).proverInfo(job.prover)).locked, parseEther('1'));
});

test('a transaction mined reverted is reported with the contract error that reverted it', async () => {
  const grant = await chain.as(0).market.getFunction('setCoordinator')(
    (chain.wallets[1] as Wallet).address,
    true,
  );
  await grant.wait();
  // A second coordinator key needs a bond of its own to assign.
  await new AuctionAudit(chain.as(1)).postBond((chain.wallets[1] as Wallet).address, parseEther('1'));
  const jobId = await h.openJob(4);
  const bid = await h.bid(3, jobId, parseEther('1'));
  // Estimated while the job is open; another coordinator assigns it before this one is mined.
  racing.between = () => chain.as(1).assign(jobId, bid);
  const err = await reverts(coordinator.assign(jobId, bid), 'WrongStatus');
  assert.match(err.message, /WrongStatus/);
});
