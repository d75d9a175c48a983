import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GavelError } from '../../shared/errors.js';
import { loadCircuit } from '../../shared/proving/circuit-artifact.js';
import { type CoordinatorFlags, coordinatorClient, withCoordinatorOption } from '../coordinator-options.js';
import { printResult } from '../output.js';

/** An artifact from a file path, or one of the repo's compiled circuits by name. */
function readArtifact(source: string): unknown {
  if (existsSync(source)) {
    try {
      return JSON.parse(readFileSync(source, 'utf8'));
    } catch (cause) {
      throw new GavelError('BAD_ARTIFACT_FILE', `${source} is not JSON`, { cause });
    }
  }
  if (/^[a-z0-9_]+$/.test(source)) return loadCircuit(source);
  throw new GavelError('NO_ARTIFACT', `no file ${source}`);
}

export function circuitCommand(program: Command): void {
  const circuit = program.command('circuit').description('register and inspect circuits');

  withCoordinatorOption(
    circuit
      .command('register <artifact>')
      .description('register a compiled Noir artifact (a JSON file, or a circuit name from circuits/)')
      .option('--json', 'print one JSON document on stdout'),
  ).action(async (source: string, flags: CoordinatorFlags) => {
    const out = await coordinatorClient(flags).registerCircuit(readArtifact(source));
    printResult(flags, out, [
      `${out.created ? 'registered' : 'already registered'} ${out.name}`,
      `  id      ${out.id}`,
      `  vkHash  ${out.vkHash}`,
      `  size    ${out.gates} gates (dyadic ${out.dyadic})`,
    ]);
  });

  withCoordinatorOption(
    circuit
      .command('show <id>')
      .description('show a registered circuit')
      .option('--json', 'print one JSON document on stdout'),
  ).action(async (id: string, flags: CoordinatorFlags) => {
    const c = await coordinatorClient(flags).circuit(id);
    const { vk: _vk, abi: _abi, ...summary } = c;
    printResult(flags, c, [
      `${String(c.name)} ${String(c.id)}`,
      `  vkHash  ${c.vkHash}`,
      `  size    ${c.gates} gates (dyadic ${c.dyadic})`,
      `  noir    ${String(summary.noirVersion)}`,
    ]);
  });
}
