// Runs a watchtower as a process (`gavel watch`): configuration from the environment, JSON logs on
// stdout, a clean stop on SIGINT/SIGTERM.
import { loadConfig } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { createLogger } from '../shared/log.js';
import { untilStopSignal } from '../shared/stop-signal.js';
import { watchtowerSettings } from './config.js';
import { Watchtower } from './watchtower.js';

export async function runWatchtower(overrides: Record<string, string> = {}): Promise<void> {
  const config = loadConfig(watchtowerSettings, process.env, overrides);
  const log = createLogger('watchtower', config.logLevel);
  const tower = await Watchtower.start(config, log);
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...tower.status })}\n`);
  await untilStopSignal();
  await tower.stop();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWatchtower().catch((err) => {
    process.stderr.write(`watchtower: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
