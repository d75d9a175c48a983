import type { Command } from 'commander';
import { GavelError } from '../../shared/errors.js';
import { printResult } from '../output.js';

export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'bring up a local marketplace, run batch_transfer jobs through auction, proving and payment, print a summary, stop',
    )
    .option('--jobs <n>', 'jobs to submit', '3')
    .option('--items <n>', 'batch items (proofs) per job', '2')
    .option('--provers <n>', 'prover agents', '3')
    .option('--log-level <level>', 'log level of the services (stderr)', 'warn')
    .option('--json', 'print only the summary, as one JSON document')
    .action(
      async (flags: { jobs: string; items: string; provers: string; logLevel: string; json?: boolean }) => {
        const jobs = Number(flags.jobs);
        const items = Number(flags.items);
        if (!Number.isInteger(jobs) || jobs < 1 || jobs > 20)
          throw new GavelError('BAD_JOBS', '--jobs must be 1..20');
        if (!Number.isInteger(items) || items < 1 || items > 16)
          throw new GavelError('BAD_ITEMS', '--items must be 1..16');
        const { runDemo } = await import('../../devstack/demo.js');
        const summary = await runDemo({
          jobs,
          items,
          provers: Number(flags.provers),
          json: flags.json === true,
          logLevel: flags.logLevel,
        });
        if (flags.json) printResult(flags, summary, '');
      },
    );
}
