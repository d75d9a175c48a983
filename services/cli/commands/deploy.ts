import type { Command } from 'commander';
import { formatEther, parseEther } from 'ethers';
import { deployGavel, writeDeployment } from '../../shared/chain/deployment.js';
import { type ChainFlags, parseAddress, wallet, withChainOptions } from '../chain-options.js';
import { printResult } from '../output.js';

interface DeployFlags extends ChainFlags {
  treasury?: string;
  cooldown: string;
  requesterShare: string;
  bountyShare: string;
  coordinator?: string[];
  coordinatorBond: string;
  minBond: string;
  answerWindow: string;
}

export function deployCommand(program: Command): void {
  withChainOptions(
    program
      .command('deploy')
      .description(
        'deploy the Staking, VerifierRegistry, Market and AuctionAudit contracts and record their addresses in --deployment',
      )
      .option('--treasury <address>', 'receives the non-requester share of slashes (default: the deployer)')
      .option('--cooldown <seconds>', 'unstake cooldown', '3600')
      .option('--requester-share <bps>', "requester's share of a slash, in basis points", '4000')
      .option('--bounty-share <bps>', 'share of a slash paid to whoever triggers it, in basis points', '1000')
      .option('--coordinator <address...>', 'addresses granted the coordinator role (default: the deployer)')
      .option(
        '--coordinator-bond <eth>',
        'bond the deployer posts for each coordinator: a share is taken by whoever proves it hid a bid or broke the auction rule',
        '1',
      )
      .option('--min-bond <eth>', 'bond a coordinator key must have to assign jobs', '0.1')
      .option(
        '--answer-window <seconds>',
        'time a coordinator has to answer a challenged bid receipt',
        '3600',
      ),
  ).action(async (flags: DeployFlags) => {
    const signer = wallet(flags);
    const d = await deployGavel(signer, {
      ...(flags.treasury ? { treasury: parseAddress(flags.treasury, '--treasury') } : {}),
      cooldownSeconds: positiveInt(flags.cooldown, '--cooldown'),
      requesterShareBps: positiveInt(flags.requesterShare, '--requester-share'),
      bountyShareBps: positiveInt(flags.bountyShare, '--bounty-share'),
      coordinatorBondWei: parseEth(flags.coordinatorBond, '--coordinator-bond'),
      minBondWei: parseEth(flags.minBond, '--min-bond'),
      answerWindowSeconds: positiveInt(flags.answerWindow, '--answer-window'),
      ...(flags.coordinator
        ? { coordinators: flags.coordinator.map((c) => parseAddress(c, '--coordinator')) }
        : {}),
    });
    writeDeployment(d, flags.deployment);
    printResult(flags, { ...d, file: flags.deployment }, [
      `deployed on chain ${d.chainId} at block ${d.blockNumber}`,
      `  staking  ${d.staking}`,
      `  market   ${d.market}`,
      `  registry ${d.registry}`,
      `  audit    ${d.audit} (bond per coordinator ${formatEther(d.coordinatorBondWei)} ETH, answer window ${d.answerWindowSeconds} s)`,
      `  recorded in ${flags.deployment}`,
    ]);
  });
}

function parseEth(value: string, what: string): bigint {
  try {
    const wei = parseEther(value);
    if (wei >= 0n) return wei;
  } catch {
    // reported below
  }
  throw new Error(`${what} must be an amount of ETH, got "${value}"`);
}

function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${what} must be a non-negative integer, got "${value}"`);
  return n;
}
