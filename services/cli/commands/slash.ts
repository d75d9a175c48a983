import type { Command } from 'commander';
import { formatEther } from 'ethers';
import { type ChainFlags, contracts, parseAddress, parseJobId, withChainOptions } from '../chain-options.js';
import { printResult } from '../output.js';

interface SlashFlags extends ChainFlags {
  job: string;
}

export function slashCommand(program: Command): void {
  withChainOptions(
    program
      .command('slash <prover>')
      .description("slash a prover that missed an assigned job's deadline (anyone may call this)")
      .requiredOption('--job <id>', 'on-chain job id (0x + 64 hex digits)'),
  ).action(async (proverArg: string, flags: SlashFlags) => {
    const prover = parseAddress(proverArg, 'prover');
    const jobId = parseJobId(flags.job);
    const c = contracts(flags);
    const job = await c.job(jobId);
    const receipt = await c.slash(jobId, prover);
    printResult(
      flags,
      { jobId, prover, slashed: job.collateral, refunded: job.reserve, tx: receipt.hash },
      `slashed ${formatEther(job.collateral)} ETH from ${prover} for job ${jobId}; ` +
        `requester refunded ${formatEther(job.reserve)} ETH (tx ${receipt.hash})`,
    );
  });
}
