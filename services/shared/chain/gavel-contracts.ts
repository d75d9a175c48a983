// Typed access to the Staking and Market contracts (ethers v6); every send waits for its receipt
// and rethrows reverts as ContractRevertError.
import {
  Contract,
  type ContractRunner,
  JsonRpcProvider,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionResponse,
  Wallet,
} from 'ethers';
import { GavelError } from '../errors.js';
import { contractArtifact } from './contract-artifacts.js';
import { withRevertDecoding } from './contract-errors.js';
import type { Deployment } from './deployment.js';

export const JOB_STATUS = ['None', 'Open', 'Assigned', 'Settled', 'Cancelled', 'Expired'] as const;
export type JobStatus = (typeof JOB_STATUS)[number];

export interface ProverInfo {
  registered: boolean;
  name: string;
  endpoint: string;
  stake: bigint;
  locked: bigint;
  unstakePending: bigint;
  unstakeReadyAt: number;
  free: bigint;
  claimable: bigint;
}

export interface OnChainJob {
  requester: string;
  status: JobStatus;
  deadline: number;
  prover: string;
  reserve: bigint;
  price: bigint;
  collateral: bigint;
  vkHash: string;
  inputsHash: string;
  resultHash: string;
}

export interface OpenJobParams {
  jobId: string;
  vkHash: string;
  inputsHash: string;
  deadline: number;
  collateral: bigint;
  reserve: bigint;
}

/** A JSON-RPC provider set up for back-to-back transactions (no stale nonce cache). */
export function rpcProvider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
    batchStallTime: 0,
    staticNetwork: true,
  });
}

export function walletFor(key: string, provider: Provider): Wallet {
  return new Wallet(key, provider);
}

export class GavelContracts {
  readonly staking: Contract;
  readonly market: Contract;
  readonly deployment: Deployment;

  constructor(deployment: Deployment, runner: ContractRunner) {
    this.deployment = deployment;
    this.staking = new Contract(deployment.staking, contractArtifact('Staking').abi, runner);
    this.market = new Contract(deployment.market, contractArtifact('Market').abi, runner);
  }

  /** The same contracts driven by another account. */
  /** The signer these contracts send with (REQUIRES_SIGNER when they only read). */
  signer(): Signer {
    const runner = this.market.runner as Signer | null;
    if (!runner || typeof runner.signMessage !== 'function') {
      throw new GavelError('REQUIRES_SIGNER', 'this action needs a key (--key or GAVEL_PRIVATE_KEY)');
    }
    return runner;
  }

  connect(runner: ContractRunner): GavelContracts {
    return new GavelContracts(this.deployment, runner);
  }

  private send(
    contract: Contract,
    method: string,
    args: unknown[],
    value?: bigint,
  ): Promise<TransactionReceipt> {
    return withRevertDecoding(async () => {
      const overrides = value === undefined ? [] : [{ value }];
      const tx = (await contract.getFunction(method)(...args, ...overrides)) as TransactionResponse;
      const receipt = await tx.wait();
      if (!receipt) throw new Error(`transaction ${tx.hash} was dropped`);
      return receipt;
    });
  }

  // ── Staking ────────────────────────────────────────────────────────────────
  registerProver(name: string, endpoint: string) {
    return this.send(this.staking, 'register', [name, endpoint]);
  }
  stake(amount: bigint) {
    return this.send(this.staking, 'stake', [], amount);
  }
  requestUnstake(amount: bigint) {
    return this.send(this.staking, 'requestUnstake', [amount]);
  }
  withdraw() {
    return this.send(this.staking, 'withdraw', []);
  }
  claimStaking() {
    return this.send(this.staking, 'claim', []);
  }

  async proverInfo(prover: string): Promise<ProverInfo> {
    return withRevertDecoding(async () => {
      const [p, free, claimable] = await Promise.all([
        this.staking.getFunction('proverInfo')(prover),
        this.staking.getFunction('freeStake')(prover),
        this.staking.getFunction('claimable')(prover),
      ]);
      return {
        registered: p.registered,
        name: p.name,
        endpoint: p.endpoint,
        stake: p.stake,
        locked: p.locked,
        unstakePending: p.unstakePending,
        unstakeReadyAt: Number(p.unstakeReadyAt),
        free,
        claimable,
      };
    });
  }

  // ── Market ─────────────────────────────────────────────────────────────────
  openJob(p: OpenJobParams) {
    return this.send(
      this.market,
      'openJob',
      [p.jobId, p.vkHash, p.inputsHash, p.deadline, p.collateral],
      p.reserve,
    );
  }
  assign(jobId: string, prover: string, price: bigint) {
    return this.send(this.market, 'assign', [jobId, prover, price]);
  }
  settle(jobId: string, resultHash: string) {
    return this.send(this.market, 'settle', [jobId, resultHash]);
  }
  reopen(jobId: string, slashProver: boolean) {
    return this.send(this.market, 'reopen', [jobId, slashProver]);
  }
  slash(jobId: string, prover: string) {
    return this.send(this.market, 'slash', [jobId, prover]);
  }
  expire(jobId: string) {
    return this.send(this.market, 'expire', [jobId]);
  }
  cancel(jobId: string) {
    return this.send(this.market, 'cancel', [jobId]);
  }
  claimMarket() {
    return this.send(this.market, 'claim', []);
  }

  async job(jobId: string): Promise<OnChainJob> {
    return withRevertDecoding(async () => {
      const j = await this.market.getFunction('getJob')(jobId);
      return {
        requester: j.requester,
        status: JOB_STATUS[Number(j.status)] ?? 'None',
        deadline: Number(j.deadline),
        prover: j.prover,
        reserve: j.reserve,
        price: j.price,
        collateral: j.collateral,
        vkHash: j.vkHash,
        inputsHash: j.inputsHash,
        resultHash: j.resultHash,
      };
    });
  }

  async marketClaimable(account: string): Promise<bigint> {
    return this.market.getFunction('claimable')(account);
  }
}
