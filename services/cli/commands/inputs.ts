import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AccountTree } from '../../shared/circuits/account-tree.js';
import {
  batchShape,
  buildBatch,
  fundAccounts,
  randomTransfers,
  seededRandom,
} from '../../shared/circuits/batch-transfer-inputs.js';
import { Poseidon2 } from '../../shared/circuits/poseidon2.js';
import { GavelError } from '../../shared/errors.js';
import { loadCircuit } from '../../shared/proving/circuit-artifact.js';
import { printResult } from '../output.js';

export function inputsCommand(program: Command): void {
  program
    .command('inputs')
    .description('generate valid batch_transfer inputs (consecutive batches over one funded account tree)')
    .option('--circuit <name>', 'a batch_transfer configuration from circuits/', 'batch_transfer')
    .option('--items <n>', 'batch items (one proof each)', '2')
    .option('--seed <n>', 'random seed', '1')
    .requiredOption('--out <file>', 'where to write the JSON array of inputs')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { circuit: string; items: string; seed: string; out: string; json?: boolean }) => {
      const items = Number(flags.items);
      if (!Number.isInteger(items) || items < 1 || items > 1000)
        throw new GavelError('BAD_ITEMS', '--items must be 1..1000');
      const shape = batchShape(loadCircuit(flags.circuit));
      const hasher = await Poseidon2.create();
      const tree = new AccountTree(shape.depth, hasher);
      const accounts = Math.min(tree.capacity, 16);
      fundAccounts(tree, accounts, 1_000_000n);
      const rnd = seededRandom(Number(flags.seed));
      const batches = Array.from({ length: items }, () =>
        buildBatch(tree, hasher, shape, randomTransfers(tree, shape.batchSize, accounts, rnd)),
      );
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
