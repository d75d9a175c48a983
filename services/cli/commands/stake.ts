import type { Command } from 'commander';
import { formatEther } from 'ethers';
import {
  type ChainFlags,
  contracts,
  parseAddress,
  parseEth,
  wallet,
  withChainOptions,
} from '../chain-options.js';
import { printResult } from '../output.js';

async function signerAddress(flags: ChainFlags): Promise<string> {
  return wallet(flags).getAddress();
}

export function stakeCommand(program: Command): void {
  const stake = program.command('stake').description('prover stake: deposit, unstake, withdraw, show');

  withChainOptions(stake.command('deposit <eth>').description('add ETH to your stake')).action(
    async (eth: string, flags: ChainFlags) => {
      const amount = parseEth(eth, 'the deposit');
      const c = contracts(flags);
      const receipt = await c.stake(amount);
      const info = await c.proverInfo(await signerAddress(flags));
      printResult(
        flags,
        { deposited: amount, stake: info.stake, tx: receipt.hash },
        `staked ${eth} ETH; total stake ${formatEther(info.stake)} ETH (tx ${receipt.hash})`,
      );
    },
  );

  withChainOptions(
    stake.command('unstake <eth>').description('request a withdrawal of free stake (starts the cooldown)'),
  ).action(async (eth: string, flags: ChainFlags) => {
    const amount = parseEth(eth, 'the unstake amount');
    const c = contracts(flags);
    const receipt = await c.requestUnstake(amount);
    const info = await c.proverInfo(await signerAddress(flags));
    const readyAt = new Date(info.unstakeReadyAt * 1000).toISOString();
    printResult(
      flags,
      { requested: amount, pending: info.unstakePending, readyAt, tx: receipt.hash },
      `unstake of ${eth} ETH requested; ${formatEther(info.unstakePending)} ETH withdrawable from ${readyAt}`,
    );
  });

  withChainOptions(stake.command('withdraw').description('withdraw pending stake after the cooldown')).action(
    async (flags: ChainFlags) => {
      const c = contracts(flags);
      const before = await c.proverInfo(await signerAddress(flags));
      const receipt = await c.withdraw();
      printResult(
        flags,
        { withdrawn: before.unstakePending, tx: receipt.hash },
        `withdrew ${formatEther(before.unstakePending)} ETH (tx ${receipt.hash})`,
      );
    },
  );

  withChainOptions(
    stake
      .command('show [address]')
      .description('stake, collateral and claimable amounts (default: --key account)'),
  ).action(async (address: string | undefined, flags: ChainFlags) => {
    const who = address ? parseAddress(address, 'address') : await signerAddress(flags);
    const c = contracts(flags, false);
    const [info, marketClaimable] = await Promise.all([c.proverInfo(who), c.marketClaimable(who)]);
    const data = { address: who, ...info, marketClaimable };
    printResult(flags, data, [
      `${who}${info.registered ? ` — prover "${info.name}"${info.endpoint ? ` at ${info.endpoint}` : ''}` : ' — not registered'}`,
      `  stake            ${formatEther(info.stake)} ETH`,
      `  locked           ${formatEther(info.locked)} ETH (collateral of assigned jobs)`,
      `  unstake pending  ${formatEther(info.unstakePending)} ETH${
        info.unstakePending > 0n ? ` (from ${new Date(info.unstakeReadyAt * 1000).toISOString()})` : ''
      }`,
      `  free             ${formatEther(info.free)} ETH`,
      `  claimable        ${formatEther(info.claimable + marketClaimable)} ETH (gavel claim)`,
    ]);
  });
}
