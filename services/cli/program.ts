// The gavel command tree: every command and its options (printed by --help and in README.md).
import { Command } from 'commander';
import { circuitCommand } from './commands/circuit.js';
import { claimCommand } from './commands/claim.js';
import { coordinatorCommand } from './commands/coordinator.js';
import { demoCommand } from './commands/demo.js';
import { deployCommand } from './commands/deploy.js';
import { devCommand } from './commands/dev.js';
import { inputsCommand } from './commands/inputs.js';
import { jobCommand } from './commands/job.js';
import { natsCommand } from './commands/nats.js';
import { proverCommand, proverRunCommands } from './commands/prover.js';
import { setupCommand } from './commands/setup.js';
import { slashCommand } from './commands/slash.js';
import { stakeCommand } from './commands/stake.js';
import { watchCommand } from './commands/watch.js';

export function buildProgram(): Command {
  const program = new Command('gavel')
    .description(
      'Gavel: a decentralized proving marketplace (Noir + bb.js UltraHonk, circom + snarkjs PLONK, NATS auctions, EVM settlement)',
    )
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(`gavel: ${str.replace(/^error: /, '')}`) });
  deployCommand(program);
  setupCommand(program);
  circuitCommand(program);
  jobCommand(program);
  inputsCommand(program);
  proverCommand(program);
  proverRunCommands(program);
  stakeCommand(program);
  slashCommand(program);
  claimCommand(program);
  natsCommand(program);
  coordinatorCommand(program);
  watchCommand(program);
  devCommand(program);
  demoCommand(program);
  return program;
}
