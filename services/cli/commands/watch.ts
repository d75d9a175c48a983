import type { Command } from 'commander';

interface WatchFlags {
  key?: string;
  rpc?: string;
  deployment?: string;
  pollMs?: string;
  coordinator?: string;
  port?: string;
  host?: string;
  logLevel?: string;
}

export function watchCommand(program: Command): void {
  program
    .command('watch')
    .description(
      'run a watchtower: slash provers past their attempt deadline and expire jobs past theirs, ' +
        'for the slash bounty; audit every auction against its committed transcript and send the ' +
        "evidence that takes a lying coordinator's bond; mirror job inputs for the assigned prover; " +
        'sign attestations of what it checked (anyone may; stops on SIGINT/SIGTERM)',
    )
    .option('--key <hex>', "the watchtower's key: pays the gas, earns the bounties (GAVEL_PRIVATE_KEY)")
    .option('--rpc <url>', 'EVM JSON-RPC endpoint (GAVEL_RPC_URL)')
    .option('--deployment <file>', 'contract addresses (GAVEL_DEPLOYMENT)')
    .option('--poll-ms <n>', 'how often to read new events and check deadlines (GAVEL_WATCH_POLL_MS)')
    .option(
      '--coordinator <url>',
      "the coordinator API whose transcripts are audited, '' = none (GAVEL_COORDINATOR_URL)",
    )
    .option(
      '--port <n>',
      'port of the HTTP API (/metrics, receipts, audits, attestations, inputs), 0 = any (GAVEL_WATCH_PORT)',
    )
    .option('--host <addr>', 'address the HTTP API listens on (GAVEL_WATCH_HOST)')
    .option('--log-level <level>', 'pino log level; logs are JSON lines (GAVEL_LOG_LEVEL)')
    .action(async (flags: WatchFlags) => {
      const { runWatchtower } = await import('../../watchtower/server.js');
      const overrides: Record<string, string> = {};
      const keys: [keyof WatchFlags, string][] = [
        ['key', 'key'],
        ['rpc', 'rpcUrl'],
        ['deployment', 'deploymentFile'],
        ['pollMs', 'pollMs'],
        ['coordinator', 'coordinatorUrl'],
        ['port', 'port'],
        ['host', 'host'],
        ['logLevel', 'logLevel'],
      ];
      for (const [flag, setting] of keys)
        if (flags[flag] !== undefined) overrides[setting] = flags[flag] as string;
      await runWatchtower(overrides);
    });
}
