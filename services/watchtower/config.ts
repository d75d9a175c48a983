import { commonSettings, parsers, type Settings } from '../shared/config.js';

export interface WatchtowerConfig {
  /** The key that sends slashes and expiries, and earns the slash bounties. */
  key: string;
  rpcUrl: string;
  deploymentFile: string;
  /** How often the chain is read for new events and passed deadlines. */
  pollMs: number;
  /** Port of the /metrics endpoint (0: any free port). */
  metricsPort: number;
  logLevel: string;
}

export const watchtowerSettings: Settings<WatchtowerConfig> = {
  key: {
    env: 'GAVEL_PRIVATE_KEY',
    description: "the watchtower's key: it pays the gas of slashes and expiries and earns the bounties",
    parse: parsers.privateKey,
  },
  rpcUrl: commonSettings.rpcUrl,
  deploymentFile: commonSettings.deploymentFile,
  pollMs: {
    env: 'GAVEL_WATCH_POLL_MS',
    description: 'how often the watchtower reads new Market events and checks deadlines',
    parse: parsers.int(100),
    default: 2000,
  },
  metricsPort: commonSettings.metricsPort,
  logLevel: commonSettings.logLevel,
};
