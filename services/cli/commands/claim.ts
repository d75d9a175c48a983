import type { Command } from 'commander';
import { formatEther } from 'ethers';
import { type ChainFlags, contracts, wallet, withChainOptions } from '../chain-options.js';
import { printResult } from '../output.js';

export function claimCommand(program: Command): void {
  withChainOptions(
    program
      .command('claim')
      .description(
        'withdraw payments, refunds, slash compensation and slash bounties owed to the --key account',
      ),
  ).action(async (flags: ChainFlags) => {
    const c = contracts(flags);
    const who = await wallet(flags).getAddress();
    const [info, fromMarket] = await Promise.all([c.proverInfo(who), c.marketClaimable(who)]);
    const txs: string[] = [];
    if (fromMarket > 0n) txs.push((await c.claimMarket()).hash);
    if (info.claimable > 0n) txs.push((await c.claimStaking()).hash);
    const total = fromMarket + info.claimable;
    printResult(
      flags,
      { account: who, claimed: total, fromMarket, fromStaking: info.claimable, txs },
      total > 0n ? `claimed ${formatEther(total)} ETH` : 'nothing to claim',
    );
  });
}
