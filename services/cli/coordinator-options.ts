import type { Command } from 'commander';
import { CoordinatorClient } from '../shared/client/coordinator-client.js';
import { cliSettings, settingOption } from './setting-options.js';

export interface CoordinatorFlags {
  coordinator: string;
  json?: boolean;
}

/** Adds --coordinator (GAVEL_COORDINATOR_URL) to a command. */
export function withCoordinatorOption(cmd: Command): Command {
  return cmd.addOption(settingOption('--coordinator <url>', cliSettings.coordinatorUrl));
}

export function coordinatorClient(flags: CoordinatorFlags): CoordinatorClient {
  return new CoordinatorClient(flags.coordinator.replace(/\/$/, ''));
}
