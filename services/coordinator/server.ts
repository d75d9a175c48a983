// Runs the coordinator as a process: configuration from the environment, clean stop on signals.
import { loadConfig } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { createLogger } from '../shared/log.js';
import { coordinatorSettings } from './config.js';
import { Coordinator } from './coordinator.js';

export async function runCoordinator(overrides: Record<string, string> = {}): Promise<void> {
  const config = loadConfig(coordinatorSettings, process.env, overrides);
  const log = createLogger('coordinator', config.logLevel);
  const coordinator = await Coordinator.start(config, log);
  process.stdout.write(`${JSON.stringify({ event: 'ready', url: coordinator.httpUrl })}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await coordinator.stop();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCoordinator().catch((err) => {
    process.stderr.write(`coordinator: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
