// gavel: the command line of the Gavel proving marketplace.
import { printError } from './output.js';
import { buildProgram } from './program.js';

const json = process.argv.includes('--json');
try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  printError(err, json);
}
process.exit(process.exitCode ?? 0);
