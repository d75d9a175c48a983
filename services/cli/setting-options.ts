// The CLI's options that fall back to an environment variable are made from the settings tables,
// so a variable, its meaning and its default are declared once (and listed in the README).
import { Option } from 'commander';
import { parsers, type Setting } from '../shared/config.js';

/** Settings only the CLI reads (the services' own are in their config tables). */
export const cliSettings = {
  privateKey: {
    env: 'GAVEL_PRIVATE_KEY',
    description: 'private key of the sending account',
    parse: parsers.string,
  } satisfies Setting<string>,
  coordinatorUrl: {
    env: 'GAVEL_COORDINATOR_URL',
    description: 'coordinator HTTP API',
    parse: parsers.string,
    default: 'http://127.0.0.1:8080',
  } satisfies Setting<string>,
  mirrors: {
    env: 'GAVEL_MIRRORS',
    description:
      'watchtowers to push job inputs to first (comma-separated): a prover falls back to them if the coordinator withholds the inputs',
    parse: parsers.string,
    default: '',
  } satisfies Setting<string>,
};

/** An option backed by `setting`: its variable and default, and its description unless given. */
export function settingOption(flags: string, setting: Setting<unknown>, description?: string): Option {
  const option = new Option(flags, description ?? setting.description).env(setting.env);
  return setting.default === undefined || setting.default === ''
    ? option
    : option.default(String(setting.default));
}
