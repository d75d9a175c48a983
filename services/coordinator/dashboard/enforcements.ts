// Deadlines enforced on-chain — slashes and expiries, by whoever sent them (a watchtower, a prover,
// this coordinator, anyone) — read from the Market's events, incrementally, for the dashboard.
import { formatEther } from 'ethers';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';

export interface Enforcement {
  jobId: string;
  action: 'slash' | 'expire';
  /** Who sent the transaction (the slasher earns the bounty). */
  by: string;
  /** Collateral slashed, or escrow refunded, in ETH. */
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
      const logs = await provider.getLogs({
        address: this.chain.deployment.market,
        fromBlock: this.nextBlock,
        toBlock: head,
      });
      for (const log of logs) {
        const e = this.chain.market.interface.parseLog(log);
        if (e?.name !== 'JobSlashed' && e?.name !== 'JobExpired') continue;
        const by =
          e.name === 'JobSlashed'
            ? String(e.args.slasher)
            : ((await provider.getTransaction(log.transactionHash))?.from ?? '');
        const amount = (e.name === 'JobSlashed' ? e.args.slashed : e.args.refund) as bigint;
        this.recent.unshift({
          jobId: String(e.args.jobId).toLowerCase(),
          action: e.name === 'JobSlashed' ? 'slash' : 'expire',
          by: by.toLowerCase(),
          amountEth: formatEther(amount),
          tx: log.transactionHash,
          block: log.blockNumber,
        });
      }
      this.recent.splice(KEEP);
      this.nextBlock = head + 1;
    }
    return this.recent;
  }
}
