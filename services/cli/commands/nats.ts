// gavel nats init: the keys and files that secure a market's NATS (operator mode): the block to
// include in every nats-server's configuration, the coordinator's credentials, and the account
// seed with which coordinators issue provers their credentials.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { GavelError } from '../../shared/errors.js';
import { createNatsAuthority, issueCreds, serverAuthConfig } from '../../shared/nats/auth.js';
import { printResult } from '../output.js';

async function init(flags: { out: string; force?: boolean; json?: boolean }): Promise<void> {
  const dir = resolve(flags.out);
  const files = {
    serverConfig: join(dir, 'nats-auth.conf'),
    coordinatorCreds: join(dir, 'coordinator.creds'),
    accountSeed: join(dir, 'account.seed'),
  };
  if (!flags.force && Object.values(files).some((f) => existsSync(f))) {
    throw new GavelError(
      'FILES_EXIST',
      `${dir} already holds NATS keys; --force replaces them (and every credential issued with them)`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const authority = createNatsAuthority();
  writeFileSync(files.serverConfig, `${await serverAuthConfig(authority)}\n`);
  writeFileSync(files.coordinatorCreds, await issueCreds(authority.accountSeed, 'coordinator'), {
    mode: 0o600,
  });
  writeFileSync(files.accountSeed, `${authority.accountSeed}\n`, { mode: 0o600 });
  printResult(flags, files, [
    `NATS keys written to ${dir}:`,
    `  ${files.serverConfig}  include it in every nats-server's configuration (include "nats-auth.conf")`,
    `  ${files.coordinatorCreds}  GAVEL_NATS_CREDS of every coordinator`,
    `  ${files.accountSeed}  GAVEL_NATS_ACCOUNT_SEED of every coordinator (secret: it issues prover credentials)`,
  ]);
}

export function natsCommand(program: Command): void {
  const nats = program.command('nats').description("secure the market's NATS");
  nats
    .command('init')
    .description(
      'create the operator and account keys, the server config block and the coordinator credentials',
    )
    .option('--out <dir>', 'folder for the files', '.gavel/nats')
    .option('--force', 'replace existing keys')
    .option('--json', 'print one JSON document on stdout')
    .action(init);
}
