import type { Command } from 'commander';
import { type ChainFlags, contracts, wallet, withChainOptions } from '../chain-options.js';
import { printResult } from '../output.js';

interface RegisterFlags extends ChainFlags {
  name: string;
  endpoint: string;
}

export function proverCommand(program: Command): void {
  const prover = program.command('prover').description('prover registration');
  withChainOptions(
    prover
      .command('register')
      .description('register the --key account as a prover on-chain')
      .requiredOption('--name <name>', 'public name of the prover')
      .option('--endpoint <url>', 'where the prover can be reached (informational)', ''),
  ).action(async (flags: RegisterFlags) => {
    const c = contracts(flags);
    const receipt = await c.registerProver(flags.name, flags.endpoint);
    const address = await wallet(flags).getAddress();
    printResult(
      flags,
      { prover: address, name: flags.name, endpoint: flags.endpoint, tx: receipt.hash },
      `registered ${address} as prover "${flags.name}" (tx ${receipt.hash})`,
    );
  });
}
