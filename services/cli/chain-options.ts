// Chain settings shared by the money commands: --rpc, --key, --deployment, each with an env fallback.
import type { Command } from 'commander';
import { getAddress, isHexString, parseEther, Wallet } from 'ethers';
import { type Deployment, readDeployment } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { commonSettings } from '../shared/config.js';
import { GavelError } from '../shared/errors.js';
import { cliSettings, settingOption } from './setting-options.js';

export interface ChainFlags {
  rpc: string;
  key?: string;
  deployment: string;
  json?: boolean;
}

/** Adds --rpc, --key, --deployment and --json to a command. */
export function withChainOptions(cmd: Command): Command {
  return cmd
    .addOption(settingOption('--rpc <url>', commonSettings.rpcUrl))
    .addOption(settingOption('--key <hex>', cliSettings.privateKey))
    .addOption(settingOption('--deployment <file>', commonSettings.deploymentFile))
    .option('--json', 'print one JSON document on stdout');
}

export function wallet(flags: ChainFlags): Wallet {
  if (!flags.key) throw new GavelError('NO_KEY', 'no signing key: pass --key or set GAVEL_PRIVATE_KEY');
  if (!isHexString(flags.key, 32))
    throw new GavelError('BAD_KEY', '--key must be a 0x-prefixed 32-byte hex private key');
  return new Wallet(flags.key, rpcProvider(flags.rpc));
}

export function deployment(flags: ChainFlags): Deployment {
  return readDeployment(flags.deployment);
}

/** Contracts driven by the --key account (or read-only through the provider without one). */
export function contracts(flags: ChainFlags, needKey = true): GavelContracts {
  const runner = needKey || flags.key ? wallet(flags) : rpcProvider(flags.rpc);
  return new GavelContracts(deployment(flags), runner);
}

export function parseEth(value: string, what: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(value)) {
    throw new GavelError('BAD_AMOUNT', `${what} must be an ETH amount like 1 or 0.25, got "${value}"`);
  }
  return parseEther(value);
}

export function parseAddress(value: string, what: string): string {
  try {
    return getAddress(value);
  } catch (cause) {
    throw new GavelError('BAD_ADDRESS', `${what} must be an Ethereum address, got "${value}"`, { cause });
  }
}

export function parseJobId(value: string): string {
  if (!isHexString(value, 32))
    throw new GavelError('BAD_JOB_ID', `a job id is 0x and 64 hex digits, got "${value}"`);
  return value.toLowerCase();
}
