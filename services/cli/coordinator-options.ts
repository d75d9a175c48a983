import { type Command, Option } from 'commander';
import { CoordinatorClient } from '../shared/client/coordinator-client.js';

export interface CoordinatorFlags {
  coordinator: string;
  json?: boolean;
}

/** Adds --coordinator (GAVEL_COORDINATOR_URL) to a command. */
export function withCoordinatorOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--coordinator <url>', 'coordinator HTTP API')
      .env('GAVEL_COORDINATOR_URL')
      .default('http://127.0.0.1:8080'),
  );
}

export function coordinatorClient(flags: CoordinatorFlags): CoordinatorClient {
  return new CoordinatorClient(flags.coordinator.replace(/\/$/, ''));
}
