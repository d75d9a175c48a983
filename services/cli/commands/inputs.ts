import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { batchShape, generateBatches } from '../../shared/circuits/batch-transfer-inputs.js';
import { GavelError } from '../../shared/errors.js';
import { loadAnyCircuit } from '../../shared/proving/circuit-artifact.js';
import { printResult } from '../output.js';

export function inputsCommand(program: Command): void {
  program
    .command('inputs')
    .description('generate valid batch_transfer inputs (consecutive batches over one funded account tree)')
    .option(
      '--circuit <name>',
      'a batch_transfer configuration from circuits/ (batch_transfer_plonk: the same statement in circom, for PLONK)',
      'batch_transfer',
    )
    .option('--items <n>', 'batch items (one proof each)', '2')
    .option('--seed <n>', 'random seed', '1')
    .requiredOption('--out <file>', 'where to write the JSON array of inputs')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { circuit: string; items: string; seed: string; out: string; json?: boolean }) => {
      const items = Number(flags.items);
      if (!Number.isInteger(items) || items < 1 || items > 1000)
        throw new GavelError('BAD_ITEMS', '--items must be 1..1000');
      const artifact = loadAnyCircuit(flags.circuit);
      const shape = batchShape(artifact);
      const batches = await generateBatches(artifact, items, Number(flags.seed));
      writeFileSync(
        flags.out,
        `${JSON.stringify(
          batches.map((b) => b.inputs),
          null,
          1,
        )}\n`,
      );
      printResult(
        flags,
        { out: flags.out, items, circuit: flags.circuit, publicInputs: batches.map((b) => b.publicInputs) },
        `wrote ${items} ${flags.circuit} batches (${shape.batchSize} transfers each, tree depth ${shape.depth}) to ${flags.out}`,
      );
    });
}
