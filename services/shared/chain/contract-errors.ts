// Turns a failed contract call into a ContractRevertError naming the Solidity error and its meaning.
import { isError } from 'ethers';
import { GavelError } from '../errors.js';
import { gavelInterface } from './contract-artifacts.js';
import { JOB_STATUS } from './job-status.js';

/** What each custom error means to the person who ran the command. */
const MEANINGS: Record<string, (args: readonly unknown[]) => string> = {
  OwnableUnauthorizedAccount: ([a]) => `${a} is not the contract owner: only the owner may do this`,
  OwnableInvalidOwner: ([a]) => `${a} cannot be the owner`,
  NotMarket: () => 'only the market contract may do this',
  MarketAlreadySet: () => 'the staking contract is already connected to a market',
  ZeroAddress: () => 'an address argument was the zero address',
  InvalidShare: ([bps]) => `a share of ${bps} bps is out of range (at most 10000 in all)`,
  AlreadyRegistered: ([p]) => `prover ${p} is already registered`,
  NotRegistered: ([p]) => `${p} is not a registered prover (run gavel prover register first)`,
  EmptyName: () => 'a prover needs a non-empty name',
  ZeroAmount: () => 'the amount must be greater than zero',
  InsufficientFreeStake: ([p, requested, free]) =>
    `prover ${p} has ${fmt(free)} ETH of free stake, ${fmt(requested)} ETH requested`,
  NothingToWithdraw: ([p]) =>
    `prover ${p} has no pending unstake to withdraw (run gavel stake unstake first)`,
  CooldownActive: ([p, readyAt]) => `prover ${p}'s unstake cooldown ends at ${isoTime(readyAt)}`,
  CollateralAlreadyLocked: ([job, p]) => `collateral for job ${job} is already locked by ${p}`,
  NothingToClaim: ([a]) => `${a} has nothing to claim`,
  TransferFailed: ([to, amount]) => `sending ${fmt(amount)} ETH to ${to} failed`,
  ReentrancyGuardReentrantCall: () => 'reentrant call refused',
  NotCoordinator: ([c]) => `${c} does not hold the coordinator role`,
  NotRequester: ([job, c]) => `${c} is not the requester of job ${job}`,
  JobExists: ([job]) => `job ${job} already exists on-chain`,
  UnknownJob: ([job]) => `job ${job} does not exist on-chain`,
  WrongStatus: ([job, status]) =>
    `job ${job} is ${JOB_STATUS[Number(status)] ?? status}, which does not allow this`,
  ZeroReserve: () => 'a job must escrow a reserve price above zero',
  DeadlineInPast: ([d]) => `deadline ${isoTime(d)} is already past`,
  DeadlinePassed: ([job, d]) => `job ${job}'s deadline ${isoTime(d)} has passed`,
  DeadlineNotPassed: ([job, d]) => `job ${job}'s deadline ${isoTime(d)} has not passed yet`,
  PriceAboveReserve: ([price, reserve]) => `price ${fmt(price)} ETH is above the reserve ${fmt(reserve)} ETH`,
  NoItems: () => 'a job needs at least one batch item',
  UnregisteredVerifier: ([vk, v]) => `verifier ${v} is not registered for VK ${vk} in the VerifierRegistry`,
  UnknownKind: ([k]) => `verifier template ${k} is not one the registry knows (0 standard, 1 optimized)`,
  NoCode: ([v]) => `there is no contract at ${v}`,
  AttemptDeadlinePassed: ([job, d]) => `the attempt deadline of job ${job} (${isoTime(d)}) has passed`,
  AttemptDeadlineNotPassed: ([job, d]) =>
    `the attempt deadline of job ${job} (${isoTime(d)}) has not passed: the prover may still deliver`,
  BondBelowMinimum: ([c, bond, min]) =>
    `coordinator ${c} has a bond of ${fmt(bond)} ETH; assigning needs at least ${fmt(min)} ETH (post one with AuctionAudit.postBond)`,
  BondsAlreadySet: () => 'the bonds contract is already connected',
  WrongDeposit: ([sent, required]) =>
    `a challenge carries a deposit of ${fmt(required)} ETH (sent ${fmt(sent)} ETH)`,
  EvidenceWindowClosed: ([job, attempt, closed]) =>
    `evidence against job ${job} attempt ${attempt} was due by ${isoTime(closed)}`,
  BondFrozen: ([c, until]) =>
    `coordinator ${c}'s bond stays until ${isoTime(until)} (evidence may still come)`,
  StakeBelowMinimum: ([staked, min]) =>
    `registering needs a stake of at least ${fmt(min)} ETH (sent ${fmt(staked)} ETH)`,
  BidForOtherJob: ([job, attempt]) => `the bid is for job ${job} attempt ${attempt}, not this one`,
  AttemptTooFar: ([a, current]) =>
    `attempt ${a} is too far past the job's current attempt ${current} (at most MAX_ATTEMPT_JUMP later)`,
  BidSignerMismatch: ([p, signer]) => `the bid names prover ${p} but is signed by ${signer}`,
  BidExpired: ([p, expiry]) => `the bid of ${p} expired at ${isoTime(expiry)}`,
  ZeroDeliveryTime: ([p]) => `the bid of ${p} promises no delivery time`,
  DeliveryPastDeadline: ([p, due, d]) =>
    `the bid of ${p} would deliver at ${isoTime(due)}, after the job's deadline ${isoTime(d)}`,
  RunnerUpIsWinner: ([p]) => `the runner-up bid is the winner's own (${p})`,
  WinnerAboveRunnerUp: ([w, r]) => `the winner's price ${fmt(w)} ETH is above the runner-up's ${fmt(r)} ETH`,
  ItemOutOfRange: ([i, n]) => `item ${i} is out of range (the job has ${n})`,
  PublicInputsNotCommitted: ([i]) => `the public inputs of item ${i} are not the ones the job committed to`,
  InvalidProof: ([job, i]) => `the proof of item ${i} of job ${job} does not verify on-chain`,
  NotAssignedProver: ([signer, p]) => `signed by ${signer}, not by the assigned prover ${p}`,
  WrongAttempt: ([a, current]) => `attempt ${a} is not the job's current attempt ${current}`,
  EvidenceMismatch: () => 'the proof or public inputs given are not the ones the result signed',
  ProofIsValid: ([job, i]) => `the proof of item ${i} of job ${job} is valid: no slash`,
  NotEnoughGasToVerify: ([left, need]) => `only ${left} gas left; a verification is given ${need}`,
  NoVerifierCode: ([v]) => `the job's verifier ${v} has no code: it cannot give a verdict`,
  ECDSAInvalidSignature: () => 'the signature is malformed',
  ECDSAInvalidSignatureLength: ([n]) => `the signature has ${n} bytes, not 65`,
  ECDSAInvalidSignatureS: () => 'the signature is malleable (high s)',
};

function fmt(wei: unknown): string {
  const n = BigInt(wei as bigint);
  const whole = n / 10n ** 18n;
  const frac = (n % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

function isoTime(seconds: unknown): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** A contract call reverted with a known custom error. */
export class ContractRevertError extends GavelError {
  readonly errorName: string;
  readonly args: readonly unknown[];

  constructor(errorName: string, args: readonly unknown[], cause: unknown) {
    const meaning = MEANINGS[errorName]?.(args) ?? 'the contract refused the call';
    super('CONTRACT_REVERT', `${errorName}: ${meaning}`, {
      cause,
      details: { error: errorName, args: args.map((a) => (typeof a === 'bigint' ? a.toString() : a)) },
    });
    this.errorName = errorName;
    this.args = args;
  }
}

function revertData(err: unknown): string | undefined {
  const e = err as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  for (const candidate of [e.data, e.info?.error?.data, e.error?.data]) {
    if (typeof candidate === 'string' && candidate.startsWith('0x') && candidate.length >= 10)
      return candidate;
    if (
      typeof candidate === 'object' &&
      candidate !== null &&
      typeof (candidate as { data?: unknown }).data === 'string'
    ) {
      return (candidate as { data: string }).data;
    }
  }
  return undefined;
}

/** Maps an ethers error from a Gavel contract call to a ContractRevertError when it is a revert. */
export function decodeContractError(err: unknown): unknown {
  if (err instanceof GavelError) return err;
  const revert = (err as { revert?: { name: string; args: readonly unknown[] } }).revert;
  if (revert?.name) return new ContractRevertError(revert.name, [...revert.args], err);
  const data = revertData(err);
  if (data) {
    try {
      const parsed = gavelInterface().parseError(data);
      if (parsed) return new ContractRevertError(parsed.name, [...parsed.args], err);
    } catch {
      // not one of ours: fall through
    }
  }
  if (isError(err, 'CALL_EXCEPTION')) {
    return new GavelError('CONTRACT_CALL_FAILED', `contract call failed: ${err.shortMessage}`, {
      cause: err,
    });
  }
  if (isError(err, 'INSUFFICIENT_FUNDS')) {
    return new GavelError('INSUFFICIENT_FUNDS', 'the sending account cannot pay for this transaction', {
      cause: err,
    });
  }
  return err;
}

/** Runs a contract call, rethrowing reverts as ContractRevertError. */
export async function withRevertDecoding<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw decodeContractError(err);
  }
}
