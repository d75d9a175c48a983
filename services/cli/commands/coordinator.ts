import type { Command } from 'commander';

export function coordinatorCommand(program: Command): void {
  program
    .command('coordinator')
    .description('run the coordinator service (configuration from the environment; stops on SIGINT/SIGTERM)')
    .option('--port <n>', 'HTTP port (GAVEL_PORT)')
    .option('--log-level <level>', 'pino log level (GAVEL_LOG_LEVEL)')
    .action(async (flags: { port?: string; logLevel?: string }) => {
      const { runCoordinator } = await import('../../coordinator/server.js');
      await runCoordinator({
        ...(flags.port ? { port: flags.port } : {}),
        ...(flags.logLevel ? { logLevel: flags.logLevel } : {}),
      });
    });
}
