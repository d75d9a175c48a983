// Runs a prover agent as a process: configuration from the environment, clean stop on signals.
import { loadConfig } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { createLogger } from '../shared/log.js';
import { untilStopSignal } from '../shared/stop-signal.js';
import { ProverAgent } from './agent.js';
import { proverSettings } from './config.js';

export async function runProver(overrides: Record<string, string> = {}): Promise<void> {
  const config = loadConfig(proverSettings, process.env, overrides);
  const log = createLogger('prover', config.logLevel);
  const agent = await ProverAgent.start(config, log);
  process.stdout.write(`${JSON.stringify({ event: 'ready', prover: agent.address, ...agent.status })}\n`);
  await untilStopSignal();
  await agent.stop();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runProver().catch((err) => {
    process.stderr.write(`prover: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
