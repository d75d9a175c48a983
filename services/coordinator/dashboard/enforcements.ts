// Deadlines and auction audits enforced on-chain — prover slashes and expiries (Market), bid
// receipts challenged and answered and coordinator bonds taken (AuctionAudit), by whoever sent
// them (a watchtower, a prover, this coordinator, anyone) — read from the contracts' events,
// incrementally, for the dashboard.

import { formatEther, type Log } from 'ethers';
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';

export interface Enforcement {
  jobId: string;
  action: 'slash' | 'expire' | 'challenge' | 'answer' | 'coordinator-slash';
  /** Who sent the transaction (the slasher earns the bounty). */
  by: string;
  /** Collateral slashed, escrow refunded, or coordinator bond taken, in ETH ('0' for the rest). */
  amountEth: string;
  tx: string;
  block: number;
}

const KEEP = 20;

export class EnforcementFeed {
  private readonly recent: Enforcement[] = [];
  private nextBlock: number;

  constructor(private readonly chain: GavelContracts) {
    this.nextBlock = chain.deployment.blockNumber;
  }

  /** The latest enforcements, newest first (reads only the blocks since the last call). */
  async latest(): Promise<Enforcement[]> {
    const provider = this.chain.market.runner?.provider;
    if (!provider) return this.recent;
    const head = await provider.getBlockNumber();
    if (head >= this.nextBlock) {
      const logs = await readInChunks(this.nextBlock, head, (fromBlock, toBlock) =>
        provider.getLogs({
          address: [this.chain.deployment.market, this.chain.deployment.audit],
          fromBlock,
          toBlock,
        }),
      );
      for (const log of logs) {
        const found = await this.enforcementIn(log);
        if (found) this.recent.unshift(found);
      }
      this.recent.splice(KEEP);
      this.nextBlock = head + 1;
    }
    return this.recent;
  }

  private async enforcementIn(log: Log): Promise<Enforcement | undefined> {
    const fromAudit = log.address.toLowerCase() === this.chain.deployment.audit.toLowerCase();
    const e = (fromAudit ? this.chain.audit : this.chain.market).interface.parseLog(log);
    if (!e) return undefined;
    const sender = async () =>
      (
        (await this.chain.market.runner?.provider?.getTransaction(log.transactionHash))?.from ?? ''
      ).toLowerCase();
    const at = { tx: log.transactionHash, block: log.blockNumber };
    const jobId = (id: unknown) => String(id).toLowerCase();
    switch (e.name) {
      case 'JobSlashed':
        return {
          jobId: jobId(e.args.jobId),
          action: 'slash',
          by: String(e.args.slasher).toLowerCase(),
          amountEth: formatEther(e.args.slashed),
          ...at,
        };
      case 'JobExpired':
        return {
          jobId: jobId(e.args.jobId),
          action: 'expire',
          by: await sender(),
          amountEth: formatEther(e.args.refund),
          ...at,
        };
      case 'Challenged':
        return {
          jobId: jobId(e.args.jobId),
          action: 'challenge',
          by: String(e.args.challenger).toLowerCase(),
          amountEth: '0',
          ...at,
        };
      case 'ChallengeAnswered': {
        const challenge = await this.chain.audit.getFunction('challenges')(e.args.bidDigest);
        return {
          jobId: jobId(challenge.jobId),
          action: 'answer',
          by: String(e.args.answerer).toLowerCase(),
          amountEth: '0',
          ...at,
        };
      }
      case 'CoordinatorSlashed':
        return {
          jobId: jobId(e.args.jobId),
          action: 'coordinator-slash',
          by: String(e.args.to).toLowerCase(),
          amountEth: formatEther(e.args.slashed),
          ...at,
        };
      default:
        return undefined;
    }
  }
}
