// Typed access to the Staking and Market contracts (ethers v6); every send waits for its receipt
// and rethrows reverts as ContractRevertError.
import {
  Contract,
  type ContractRunner,
  isError,
  JsonRpcProvider,
  type Signer,
  type TransactionReceipt,
  ZeroAddress,
  ZeroHash,
} from 'ethers';
import { GavelError } from '../errors.js';
import { buildTranscript, STANDING } from '../protocol/auction-transcript.js';
import { type BidTerms, bidDigest, bidDomain } from '../protocol/bid-signing.js';
import type { ResultTerms } from '../protocol/result-signing.js';
import { VERIFIER_KINDS, type VerifierKind } from '../proving/honk-verifier.js';
import { contractArtifact } from './contract-artifacts.js';
import { withRevertDecoding } from './contract-errors.js';
import type { Deployment } from './deployment.js';
import { JOB_STATUS, type JobStatus } from './job-status.js';
import { sendContractTx } from './send-transaction.js';

export { JOB_STATUS, type JobStatus } from './job-status.js';

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

export const AUCTION_RULES = ['SECOND_PRICE', 'FIRST_PRICE'] as const;
/** Market.MAX_ATTEMPT_JUMP: how far past a job's current attempt an assignment may go. */
export const MAX_ATTEMPT_JUMP = 16;
export type AuctionRuleName = (typeof AUCTION_RULES)[number];

export interface OnChainJob {
  requester: string;
  status: JobStatus;
  rule: AuctionRuleName;
  attempt: number;
  items: number;
  verified: number;
  deadline: number;
  attemptDeadline: number;
  prover: string;
  verifier: string;
  reserve: bigint;
  price: bigint;
  collateral: bigint;
  vkHash: string;
  inputsHash: string;
  publicInputsRoot: string;
}

export interface OpenJobParams {
  jobId: string;
  vkHash: string;
  verifier: string;
  inputsHash: string;
  publicInputsRoot: string;
  items: number;
  deadline: number;
  collateral: bigint;
  reserve: bigint;
  rule: AuctionRuleName;
}

/** A bid as the Market checks it (the EIP-712 Bid and its signature). */
export interface SignedBid {
  bid: BidTerms;
  signature: string;
}

/** One item's proof as `fulfil` takes it. */
export interface ItemProof {
  index: number;
  proof: string;
  publicInputs: string[];
  merkleProof: string[];
}

/** A prover's signed result, and what shows it invalid (for `slashInvalid`). */
export interface InvalidResultEvidence {
  result: ResultTerms;
  signature: string;
  proof: string;
  publicInputs: string[];
  committedHash: string;
  merkleProof: string[];
}

const NO_BID: BidTerms = {
  jobId: ZeroHash,
  attempt: 0,
  price: 0n,
  prover: ZeroAddress,
  expiry: 0,
  nonce: 0n,
  deliverySeconds: 0,
};

/** A JSON-RPC provider set up for back-to-back transactions (no stale nonce cache). */
export function rpcProvider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
    batchStallTime: 0,
    staticNetwork: true,
  });
}

/** Gavel's verifier interface (contracts/src/IVerifier.sol). */
const VERIFIER_ABI = ['function verify(bytes proof, bytes32[] publicInputs) view returns (bool)'];

export class GavelContracts {
  readonly staking: Contract;
  readonly market: Contract;
  readonly registry: Contract;
  /** AuctionAudit: coordinator bonds, receipts challenged, better bids proven. */
  readonly audit: Contract;
  readonly deployment: Deployment;

  constructor(deployment: Deployment, runner: ContractRunner) {
    this.deployment = deployment;
    this.staking = new Contract(deployment.staking, contractArtifact('Staking').abi, runner);
    this.market = new Contract(deployment.market, contractArtifact('Market').abi, runner);
    this.registry = new Contract(deployment.registry, contractArtifact('VerifierRegistry').abi, runner);
    this.audit = new Contract(deployment.audit, contractArtifact('AuctionAudit').abi, runner);
  }

  /** The signer these contracts send with (REQUIRES_SIGNER when they only read). */
  signer(): Signer {
    const runner = this.market.runner as Signer | null;
    if (!runner || typeof runner.signMessage !== 'function') {
      throw new GavelError('REQUIRES_SIGNER', 'this action needs a key (--key or GAVEL_PRIVATE_KEY)');
    }
    return runner;
  }

  /** The same contracts driven by another account. */
  connect(runner: ContractRunner): GavelContracts {
    return new GavelContracts(this.deployment, runner);
  }

  private send(
    contract: Contract,
    method: string,
    args: unknown[],
    value?: bigint,
  ): Promise<TransactionReceipt> {
    return withRevertDecoding(() => sendContractTx(contract, method, args, value));
  }

  // ── Staking ────────────────────────────────────────────────────────────────
  /** Registers this account as a prover, staking `stake` (at least the Staking contract's minStake). */
  registerProver(name: string, endpoint: string, stake = 0n) {
    return this.send(this.staking, 'register', [name, endpoint], stake);
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

  // ── Verifier registry ──────────────────────────────────────────────────────
  /** Claims `verifier` for the key hashing to `vkHash`, built from template `kind`. */
  registerVerifier(vkHash: string, verifier: string, kind: VerifierKind = 'standard') {
    return this.send(this.registry, 'register', [vkHash, verifier, VERIFIER_KINDS.indexOf(kind)]);
  }
  isVerifierFor(vkHash: string, verifier: string): Promise<boolean> {
    return this.registry.getFunction('isVerifierFor')(vkHash, verifier);
  }
  /** The templates claimed for `verifier` under `vkHash` (each to be rebuilt and compared). */
  async verifierKinds(vkHash: string, verifier: string): Promise<VerifierKind[]> {
    const bits = (await this.registry.getFunction('kindsOf')(vkHash, verifier)) as bigint;
    return VERIFIER_KINDS.filter((_, i) => (bits >> BigInt(i)) & 1n);
  }

  // ── Market ─────────────────────────────────────────────────────────────────
  openJob(p: OpenJobParams) {
    const terms = {
      vkHash: p.vkHash,
      verifier: p.verifier,
      inputsHash: p.inputsHash,
      publicInputsRoot: p.publicInputsRoot,
      items: p.items,
      deadline: p.deadline,
      collateral: p.collateral,
      rule: AUCTION_RULES.indexOf(p.rule),
    };
    return this.send(this.market, 'openJob', [p.jobId, terms], p.reserve);
  }
  /** Assigns with the winner's signed bid and, under second price, the runner-up's, committing
   *  `transcriptRoot` (default: a transcript of just these bids, both eligible). */
  assign(jobId: string, winner: SignedBid, runnerUp?: SignedBid, transcriptRoot?: string) {
    const second = runnerUp ?? { bid: NO_BID, signature: '0x' };
    const domain = bidDomain(this.deployment.chainId, this.deployment.market);
    const root =
      transcriptRoot ??
      buildTranscript(
        [winner, ...(runnerUp ? [runnerUp] : [])].map((b) => ({
          bidDigest: bidDigest(domain, b.bid),
          prover: b.bid.prover,
          price: b.bid.price,
          standing: STANDING.eligible,
        })),
      ).root;
    return this.send(this.market, 'assign', [
      jobId,
      winner.bid,
      winner.signature,
      second.bid,
      second.signature,
      root,
    ]);
  }
  fulfil(jobId: string, proofs: ItemProof[]) {
    return this.send(this.market, 'fulfil', [jobId, proofs]);
  }
  /** The gas `fulfil(jobId, proofs)` would use now (a revert is thrown as the contract's error). */
  estimateFulfil(jobId: string, proofs: ItemProof[]): Promise<bigint> {
    return withRevertDecoding(() => this.market.getFunction('fulfil').estimateGas(jobId, proofs));
  }
  /** The gas the Market gives a verifier call whose verdict can slash (`VERIFY_GAS`). */
  verifyGasBudget(): Promise<bigint> {
    return this.market.getFunction('VERIFY_GAS')();
  }
  /** Whether `verifier` accepts the proof in a call of at most `gas` (the transaction's: its base
   *  and calldata cost come out of it, so the verifier itself gets less). A revert or running out
   *  of gas is false; the node failing to answer is thrown. */
  async verifierAccepts(
    verifier: string,
    proof: string,
    publicInputs: string[],
    gas: bigint,
  ): Promise<boolean> {
    const v = new Contract(verifier, VERIFIER_ABI, this.market.runner);
    try {
      return (await v.getFunction('verify').staticCall(proof, publicInputs, { gasLimit: gas })) as boolean;
    } catch (err) {
      if (isError(err, 'CALL_EXCEPTION') || /out of gas/i.test(String((err as Error).message))) return false;
      throw err;
    }
  }
  /** The gas limit of the latest block. */
  async blockGasLimit(): Promise<bigint> {
    const provider = this.market.runner?.provider;
    if (!provider)
      throw new GavelError('REQUIRES_PROVIDER', 'these contracts have no provider to read blocks');
    const block = await provider.getBlock('latest');
    if (!block) throw new GavelError('RPC_FAILED', 'the node returned no latest block');
    return block.gasLimit;
  }
  isItemVerified(jobId: string, index: number): Promise<boolean> {
    return this.market.getFunction('isItemVerified')(jobId, index);
  }
  /** Whether `verifier` accepted a proof of public inputs hashing to `publicInputsHash` in a
   *  fulfilment (a verified fact; `publicInputsHash` is keccak256 of the packed inputs). */
  isVerified(verifier: string, publicInputsHash: string): Promise<boolean> {
    return this.market.getFunction('isVerified')(verifier, publicInputsHash);
  }
  slashLate(jobId: string) {
    return this.send(this.market, 'slashLate', [jobId]);
  }
  slashInvalid(e: InvalidResultEvidence) {
    return this.send(this.market, 'slashInvalid', [
      e.result,
      e.signature,
      e.proof,
      e.publicInputs,
      e.committedHash,
      e.merkleProof,
    ]);
  }
  handBack(jobId: string, attempt: number, proverSignature: string) {
    return this.send(this.market, 'handBack', [jobId, attempt, proverSignature]);
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
        rule: AUCTION_RULES[Number(j.rule)] ?? 'SECOND_PRICE',
        attempt: Number(j.attempt),
        items: Number(j.items),
        verified: Number(j.verified),
        deadline: Number(j.deadline),
        attemptDeadline: Number(j.attemptDeadline),
        prover: j.prover,
        verifier: j.verifier,
        reserve: j.reserve,
        price: j.price,
        collateral: j.collateral,
        vkHash: j.vkHash,
        inputsHash: j.inputsHash,
        publicInputsRoot: j.publicInputsRoot,
      };
    });
  }

  async marketClaimable(account: string): Promise<bigint> {
    return this.market.getFunction('claimable')(account);
  }
}
