// Typed access to AuctionAudit: coordinator bonds, bid receipts challenged and answered, better
// bids proven. Each send waits for its receipt and rethrows reverts as ContractRevertError.

import type { Contract } from 'ethers';
import type { TranscriptEntry } from '../protocol/auction-transcript.js';
import { readInChunks } from './chunked-logs.js';
import { withRevertDecoding } from './contract-errors.js';
import type { GavelContracts, SignedBid } from './gavel-contracts.js';
import { sendContractTx } from './send-transaction.js';

/** What the Market recorded when it assigned an attempt (TranscriptCommitted). */
export interface Committed {
  root: string;
  coordinator: string;
  winner: string;
  price: bigint;
}

export interface OnChainChallenge {
  jobId: string;
  attempt: number;
  answerBy: number;
  open: boolean;
  coordinator: string;
  challenger: string;
}

const asTuple = (c: Committed) => [c.root, c.coordinator, c.winner, c.price];
const entryTuple = (e: TranscriptEntry) => [e.bidDigest, e.prover, e.price, e.standing];

export class AuctionAudit {
  private readonly contract: Contract;
  private readonly market: Contract;

  constructor(chain: GavelContracts) {
    this.contract = chain.audit;
    this.market = chain.market;
  }

  private send(method: string, args: unknown[], value?: bigint) {
    return withRevertDecoding(() => sendContractTx(this.contract, method, args, value));
  }

  postBond(coordinator: string, amount: bigint) {
    return this.send('postBond', [coordinator], amount);
  }
  requestWithdrawal(amount: bigint) {
    return this.send('requestWithdrawal', [amount]);
  }
  withdrawBond() {
    return this.send('withdrawBond', []);
  }
  claimable(account: string): Promise<bigint> {
    return this.contract.getFunction('claimable')(account);
  }
  /** AuctionAudit's events among `logs` (a receipt's), parsed. */
  events(logs: readonly { address: string; topics: readonly string[]; data: string }[]) {
    return logs
      .filter((l) => l.address.toLowerCase() === String(this.contract.target).toLowerCase())
      .map((l) => this.contract.interface.parseLog({ topics: [...l.topics], data: l.data }))
      .filter((e) => e !== null);
  }
  bondOf(coordinator: string): Promise<bigint> {
    return this.contract.getFunction('bondOf')(coordinator);
  }
  /** Challenges the coordinator that signed `receiptSignature` for `bid` to show it in its
   *  committed transcript, with the deposit the contract asks (paid to whoever answers). */
  async challenge(bid: SignedBid, receiptSignature: string) {
    const deposit = (await this.contract.getFunction('challengeDeposit')()) as bigint;
    return this.send('challenge', [bid.bid, bid.signature, receiptSignature], deposit);
  }
  answer(bidDigest: string, committed: Committed, standing: number, proof: string[]) {
    return this.send('answer', [bidDigest, asTuple(committed), standing, proof]);
  }
  /** Answers many challenges in one transaction; the receipt's `AnswerSkipped` events name those
   *  left out (closed already, or not checking out). */
  answerMany(answers: { bidDigest: string; committed: Committed; standing: number; proof: string[] }[]) {
    return this.send('answerMany', [
      answers.map((a) => [a.bidDigest, asTuple(a.committed), a.standing, a.proof]),
    ]);
  }
  slashUnanswered(bidDigest: string) {
    return this.send('slashUnanswered', [bidDigest]);
  }
  proveBetterBid(
    jobId: string,
    attempt: number,
    committed: Committed,
    entry: TranscriptEntry,
    proof: string[],
  ) {
    return this.send('proveBetterBid', [jobId, attempt, asTuple(committed), entryTuple(entry), proof]);
  }
  claim() {
    return this.send('claim', []);
  }

  async challengeOf(bidDigest: string): Promise<OnChainChallenge | undefined> {
    const c = await this.contract.getFunction('challenges')(bidDigest);
    if (c.coordinator === '0x0000000000000000000000000000000000000000') return undefined;
    return {
      jobId: c.jobId,
      attempt: Number(c.attempt),
      answerBy: Number(c.answerBy),
      open: c.open,
      coordinator: c.coordinator,
      challenger: c.challenger,
    };
  }

  /** What the Market recorded when it assigned `attempt` of `jobId`, from its event. */
  async committed(jobId: string, attempt: number, fromBlock = 0): Promise<Committed | undefined> {
    const head = (await this.market.runner?.provider?.getBlockNumber()) ?? -1;
    const logs = await readInChunks(fromBlock, head, (from, to) =>
      this.market.queryFilter(
        this.market.filters.TranscriptCommitted?.(jobId) ?? 'TranscriptCommitted',
        from,
        to,
      ),
    );
    for (const log of logs) {
      const parsed = this.market.interface.parseLog(log);
      if (!parsed || parsed.args.jobId !== jobId || Number(parsed.args.attempt) !== attempt) continue;
      return {
        root: parsed.args.root,
        coordinator: parsed.args.coordinator,
        winner: parsed.args.winner,
        price: parsed.args.price,
      };
    }
    return undefined;
  }
}
