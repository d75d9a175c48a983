import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatEther } from 'ethers';
import type { InvalidResultEvidence } from '../../shared/chain/gavel-contracts.js';
import { GavelError } from '../../shared/errors.js';
import { type ChainFlags, contracts, parseJobId, withChainOptions } from '../chain-options.js';
import { printResult } from '../output.js';

interface SlashFlags extends ChainFlags {
  evidence?: string;
}

function readEvidence(file: string): InvalidResultEvidence {
  try {
    const e = JSON.parse(readFileSync(file, 'utf8')) as InvalidResultEvidence;
    for (const key of [
      'result',
      'signature',
      'proof',
      'publicInputs',
      'committedHash',
      'merkleProof',
    ] as const)
      if (e[key] === undefined) throw new Error(`missing "${key}"`);
    return e;
  } catch (cause) {
    throw new GavelError('BAD_EVIDENCE', `cannot read evidence from ${file}: ${(cause as Error).message}`);
  }
}

export function slashCommand(program: Command): void {
  withChainOptions(
    program
      .command('slash <job>')
      .description(
        "slash a job's assigned prover on evidence the chain checks (anyone may; a share is your bounty): " +
          'without --evidence, its attempt deadline passed unfulfilled; with it, a result it signed is invalid',
      )
      .option(
        '--evidence <file>',
        'JSON {result, signature, proof, publicInputs, committedHash, merkleProof} of a signed invalid result',
      ),
  ).action(async (jobArg: string, flags: SlashFlags) => {
    const jobId = parseJobId(jobArg);
    const c = contracts(flags);
    const job = await c.job(jobId);
    const receipt = flags.evidence
      ? await c.slashInvalid(readEvidence(flags.evidence))
      : await c.slashLate(jobId);
    const after = await c.job(jobId);
    printResult(
      flags,
      { jobId, prover: job.prover, slashed: job.collateral, status: after.status, tx: receipt.hash },
      `slashed ${formatEther(job.collateral)} ETH of ${job.prover} for job ${jobId}; the job is now ` +
        `${after.status} (tx ${receipt.hash})`,
    );
  });
}
