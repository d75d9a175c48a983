import { existsSync, readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { registerAsUploader } from '../../shared/client/circuit-upload.js';
import { GavelError } from '../../shared/errors.js';
import { loadAnyCircuit } from '../../shared/proving/circuit-artifact.js';
import { isCircomArtifact, parseCircomArtifact } from '../../shared/proving/plonk/circom-artifact.js';
import { locatePtau } from '../../shared/proving/plonk/ptau.js';
import { type ChainFlags, contracts, withChainOptions } from '../chain-options.js';
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
  if (/^[a-z0-9_]+$/.test(source)) return loadAnyCircuit(source);
  throw new GavelError('NO_ARTIFACT', `no file ${source}`);
}

/** A circom (PLONK) artifact names the ptau its key is set up from: this machine's GAVEL_PTAU, or
 *  its development ptau of the circuit's power (the coordinator must hold the same file). */
async function withSetup(artifact: unknown): Promise<unknown> {
  if (!isCircomArtifact(artifact)) return artifact;
  const circom = parseCircomArtifact(artifact);
  if (circom.ptauHash) return circom;
  return { ...circom, ptauHash: (await locatePtau(circom.ptauPower)).hash };
}

export function circuitCommand(program: Command): void {
  const circuit = program.command('circuit').description('register and inspect circuits');

  withChainOptions(
    withCoordinatorOption(
      circuit
        .command('register <artifact>')
        .description(
          "register a compiled circuit (a JSON file, or a circuit name from circuits/): Noir for UltraHonk, circom for PLONK (set up from GAVEL_PTAU or the development ptau). Signed with --key; a new VK's verifier is deployed from --key's account at its cost unless the coordinator sponsors it",
        )
        .addOption(
          new Option(
            '--verifier <kind>',
            "the on-chain verifier's template: optimized (UltraHonk's default, about 4.5x less gas per proof) or standard (bb.js's default template; PLONK's only one)",
          ).choices(['optimized', 'standard']),
        ),
    ),
  ).action(
    async (
      source: string,
      flags: CoordinatorFlags & ChainFlags & { verifier?: 'optimized' | 'standard' },
    ) => {
      const artifact = await withSetup(readArtifact(source));
      const out = await registerAsUploader(
        coordinatorClient(flags),
        contracts(flags),
        artifact,
        flags.verifier ? { verifier: flags.verifier } : {},
      );
      const paid = out.verifierPaidBy ? `, deployed now, paid by the ${out.verifierPaidBy}` : '';
      printResult(flags, out, [
        `${out.created ? 'registered' : 'already registered'} ${out.name} (${out.proofSystem})`,
        `  id      ${out.id}`,
        `  vkHash  ${out.vkHash}`,
        `  verifier ${out.verifier} (${out.verifierKind}${paid})`,
        `  size    ${out.gates} gates (dyadic ${out.dyadic})`,
      ]);
    },
  );

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
      `  system  ${String(summary.proofSystem)}`,
      `  built   ${String(summary.noirVersion)}`,
    ]);
  });
}
