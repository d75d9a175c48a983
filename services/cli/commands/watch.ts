import type { Command } from 'commander';

interface WatchFlags {
  key?: string;
  rpc?: string;
  deployment?: string;
  pollMs?: string;
  metricsPort?: string;
  logLevel?: string;
}

export function watchCommand(program: Command): void {
  program
    .command('watch')
    .description(
      'run a watchtower: slash provers past their attempt deadline and expire jobs past theirs, ' +
        'for the slash bounty (anyone may; no coordinator needed; stops on SIGINT/SIGTERM)',
    )
    .option('--key <hex>', "the watchtower's key: pays the gas, earns the bounties (GAVEL_PRIVATE_KEY)")
    .option('--rpc <url>', 'EVM JSON-RPC endpoint (GAVEL_RPC_URL)')
    .option('--deployment <file>', 'contract addresses (GAVEL_DEPLOYMENT)')
    .option('--poll-ms <n>', 'how often to read new events and check deadlines (GAVEL_WATCH_POLL_MS)')
    .option('--metrics-port <n>', 'port of /metrics on 127.0.0.1, 0 = any (GAVEL_METRICS_PORT)')
    .option('--log-level <level>', 'pino log level; logs are JSON lines (GAVEL_LOG_LEVEL)')
    .action(async (flags: WatchFlags) => {
      const { runWatchtower } = await import('../../watchtower/server.js');
      const overrides: Record<string, string> = {};
      const keys: [keyof WatchFlags, string][] = [
        ['key', 'key'],
        ['rpc', 'rpcUrl'],
        ['deployment', 'deploymentFile'],
        ['pollMs', 'pollMs'],
        ['metricsPort', 'metricsPort'],
        ['logLevel', 'logLevel'],
      ];
      for (const [flag, setting] of keys) if (flags[flag]) overrides[setting] = flags[flag] as string;
      await runWatchtower(overrides);
    });
}
