// `gavel setup ptau`: the powers of tau PLONK circuits are set up from, made here by a development
// ceremony. Said plainly, every time: it is not a trusted setup.
import type { Command } from 'commander';
import { GavelError } from '../../shared/errors.js';
import { MAX_PTAU_POWER, makeDevPtau } from '../../shared/proving/plonk/ptau.js';
import { printResult } from '../output.js';

const NOT_FOR_PRODUCTION =
  'development ceremony: its only contribution is a public beacon, so anyone can recompute tau and forge ' +
  'proofs. Fine for development; in production set GAVEL_PTAU to a real ceremony file (e.g. Hermez powersOfTau28_hez_final_N.ptau).';

export function setupCommand(program: Command): void {
  const setup = program.command('setup').description('one-time setups for proof systems');
  setup
    .command('ptau')
    .description(
      `make (or find cached) the development powers of tau for PLONK circuits up to 2^N constraints (${NOT_FOR_PRODUCTION})`,
    )
    .requiredOption('--power <n>', `2^N PLONK gates (1..${MAX_PTAU_POWER}); batch_transfer_plonk needs 16`)
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { power: string; json?: boolean }) => {
      const power = Number(flags.power);
      if (!Number.isInteger(power) || power < 1 || power > MAX_PTAU_POWER)
        throw new GavelError('INVALID_ARGUMENT', `--power must be an integer from 1 to ${MAX_PTAU_POWER}`);
      const started = Date.now();
      const ptau = await makeDevPtau(power, process.env, (step) => {
        if (!flags.json) process.stderr.write(`  ${step}\n`);
      });
      printResult(
        flags,
        { ...ptau, seconds: Math.round((Date.now() - started) / 1000), warning: NOT_FOR_PRODUCTION },
        [`powers of tau 2^${power}: ${ptau.path}`, `  sha256  ${ptau.hash}`, `  ${NOT_FOR_PRODUCTION}`],
      );
    });
}
