// gavel dev up|down|status: the whole marketplace on this machine, in one background process
// (`gavel dev serve`) that `dev down` stops with everything it started.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { StackEndpoints } from '../../devstack/dev-stack.js';
import {
  alive,
  clearState,
  logFile,
  readState,
  type StackState,
  stackDir,
  writeState,
} from '../../devstack/stack-state.js';
import { commonSettings } from '../../shared/config.js';
import { GavelError } from '../../shared/errors.js';
import { repoRoot } from '../../shared/paths.js';
import { pollUntil, sleep } from '../../shared/retry.js';
import { printResult } from '../output.js';
import { progressLine } from '../progress.js';

interface UpFlags {
  provers: string;
  watchtowers: string;
  coordinators: string;
  natsCluster: string;
  rpcPort: string;
  port: string;
  databaseUrl?: string;
  deployment: string;
  logLevel: string;
  foreground?: boolean;
  json?: boolean;
}

const STARTUP_TIMEOUT_MS = 240_000;

function stackOptions(cmd: Command): Command {
  return cmd
    .option('--provers <n>', 'prover agents to run, each with a funded, registered and staked account', '3')
    .option(
      '--watchtowers <n>',
      'watchtowers to run (gavel watch: they enforce deadlines for the bounty), 0..2',
      '1',
    )
    .option(
      '--coordinators <n>',
      'coordinator replicas, 1..4, each with its own key holding the coordinator role (more than one: behind a load balancer on --port, and a Postgres server is needed: --database-url)',
      '1',
    )
    .option(
      '--nats-cluster <n>',
      'NATS nodes: 1 (one server) or 3..5 (a cluster with routes, JetStream at replicas 3)',
      '1',
    )
    .option('--rpc-port <n>', "anvil's JSON-RPC port (0 = any free port)", '8545')
    .option('--port <n>', "the coordinator's HTTP port (0 = any free port)", '8080')
    .addOption(
      new Option(
        '--database-url <url>',
        'Postgres server to use (database gavel_dev is recreated); default: embedded',
      ).env('DATABASE_URL'),
    )
    .addOption(
      new Option('--deployment <file>', 'where the contract addresses are written').default(
        commonSettings.deploymentFile.default,
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level of the services (in .gavel/dev/stack.log)').default(
        'info',
      ),
    );
}

function endpointLines(e: StackEndpoints): string[] {
  return [
    `coordinator  ${e.coordinator}   (dashboard ${e.coordinator}/, API docs ${e.coordinator}/docs)`,
    ...(e.replicas.length > 1
      ? [`replicas     ${e.replicas.join(' ')}   (behind the load balancer at ${e.coordinator})`]
      : []),
    `chain        ${e.rpc}   (chain id ${e.chainId}; market ${e.market}, staking ${e.staking})`,
    `nats         ${e.nats}   (${e.nats.includes(',') ? 'its own NATS cluster' : 'its own nats-server'}, authentication on)`,
    `database     ${e.databaseKind === 'embedded' ? 'embedded Postgres (PGlite), in memory' : e.database}`,
    `deployment   ${e.deployment}`,
    ...e.provers.map((p) => `prover       ${p.name} ${p.address} (pid ${p.pid}, metrics ${p.metrics})`),
    ...e.watchtowers.map(
      (w) => `watchtower   ${w.address} (pid ${w.pid}, audits ${w.url}/v1/audits, metrics ${w.metrics})`,
    ),
    `requester    ${e.requester} — a funded development account:`,
    `  export GAVEL_PRIVATE_KEY=${e.requesterKey}`,
    `  export GAVEL_RPC_URL=${e.rpc} GAVEL_COORDINATOR_URL=${e.coordinator} GAVEL_DEPLOYMENT=${e.deployment}`,
    ...(e.watchtowers.length > 0
      ? [
          `  export GAVEL_MIRRORS=${e.watchtowers.map((w) => w.url).join(',')}   # job submit: these watchtowers hold the inputs first`,
        ]
      : []),
  ];
}

/** Runs the stack in this process until SIGINT/SIGTERM, recording its state for `dev down`. */
async function serve(flags: UpFlags, dir: string, onStep: (step: string) => void): Promise<void> {
  const { startDevStack } = await import('../../devstack/dev-stack.js');
  const { createLogger } = await import('../../shared/log.js');
  const startedAt = new Date().toISOString();
  writeState(dir, { pid: process.pid, status: 'starting', startedAt });
  const { untilStopSignal } = await import('../../shared/stop-signal.js');
  const stopped = untilStopSignal();
  let stack: Awaited<ReturnType<typeof startDevStack>>;
  try {
    stack = await startDevStack(
      {
        provers: Number(flags.provers),
        watchtowers: Number(flags.watchtowers),
        coordinators: Number(flags.coordinators),
        natsNodes: Number(flags.natsCluster),
        rpcPort: Number(flags.rpcPort),
        httpPort: Number(flags.port),
        databaseUrl: flags.databaseUrl,
        deploymentFile: flags.deployment,
        log: (service) => createLogger(service, flags.logLevel),
        logLevel: flags.logLevel,
      },
      (step) => {
        onStep(step);
        writeState(dir, { pid: process.pid, status: 'starting', step, startedAt });
      },
    );
  } catch (err) {
    writeState(dir, {
      pid: process.pid,
      status: 'failed',
      error: err instanceof Error ? err.message : String(err),
      startedAt,
    });
    throw err;
  }
  writeState(dir, { pid: process.pid, status: 'ready', startedAt, endpoints: stack.endpoints });
  printResult(flags, stack.endpoints, [
    'local Gavel marketplace is up (Ctrl-C stops it):',
    ...endpointLines(stack.endpoints),
  ]);
  await stopped;
  await stack.stack.stop();
  clearState(dir);
}

async function waitForStack(dir: string, pid: number, json: boolean): Promise<StackState> {
  const progress = progressLine(!json);
  const started = Date.now();
  try {
    for (;;) {
      const state = readState(dir);
      if (state?.pid === pid && state.status === 'ready') return state;
      if (state?.pid === pid && state.status === 'failed')
        throw new GavelError('STACK_FAILED', `the local stack failed to start: ${state.error}`);
      if (!alive(pid))
        throw new GavelError('STACK_FAILED', `the local stack exited during start-up; see ${logFile(dir)}`);
      if (Date.now() - started > STARTUP_TIMEOUT_MS)
        throw new GavelError('STACK_TIMEOUT', `the local stack is still starting; see ${logFile(dir)}`);
      progress.update(`${state?.step ?? 'starting'}…  ${Math.round((Date.now() - started) / 1000)}s`);
      await sleep(250);
    }
  } finally {
    progress.done();
  }
}

/** Waits up to `ms` for process `pid` to exit; past that, kills its whole process group (anvil,
 *  nats-server included). Returns whether it exited on its own. */
async function untilExited(pid: number, ms = 60_000): Promise<boolean> {
  await pollUntil(() => !alive(pid), { everyMs: 200, timeoutMs: ms });
  if (!alive(pid)) return true;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone between the check and the kill.
  }
  return false;
}

async function stopStack(pid: number): Promise<boolean> {
  process.kill(pid, 'SIGTERM');
  return untilExited(pid);
}

/** `dev up`: refuses a second stack, then serves in this terminal or in a background process. */
async function up(flags: UpFlags): Promise<void> {
  const dir = stackDir();
  const existing = readState(dir);
  if (existing && alive(existing.pid)) {
    throw new GavelError(
      'ALREADY_RUNNING',
      `a local stack is already running (pid ${existing.pid}${existing.endpoints ? `, coordinator ${existing.endpoints.coordinator}` : ''}): gavel dev down first`,
    );
  }
  if (flags.foreground) {
    const progress = progressLine(!flags.json);
    await serve(flags, dir, (step) => progress.update(`${step}…`)).finally(() => progress.done());
    return;
  }
  mkdirSync(dir, { recursive: true });
  const log = openSync(logFile(dir), 'w');
  const args = [join(repoRoot, 'services/cli/gavel.mjs'), 'dev', 'serve', ...forwardFlags(flags)];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const pid = child.pid as number;
  const state = await waitForStack(dir, pid, flags.json === true).catch(async (err) => {
    // A stack that failed to start is gone before this says so: a `dev up` right after it is not
    // refused as ALREADY_RUNNING by a process still shutting down.
    await untilExited(pid);
    throw err;
  });
  const e = state.endpoints as StackEndpoints;
  printResult(flags, { pid: state.pid, log: logFile(dir), ...e }, [
    `local Gavel marketplace is up (pid ${state.pid}, logs ${logFile(dir)}):`,
    ...endpointLines(e),
    'stop it with: gavel dev down',
  ]);
}

/** `dev down`: stops the stack `dev up` started (its whole process group if it hangs). */
async function down(flags: { json?: boolean }): Promise<void> {
  const dir = stackDir();
  const state = readState(dir);
  if (!state || !alive(state.pid)) {
    clearState(dir);
    printResult(flags, { stopped: false, running: false }, 'no local stack is running');
    return;
  }
  const clean = await stopStack(state.pid);
  clearState(dir);
  printResult(
    flags,
    { stopped: true, pid: state.pid, clean },
    clean
      ? `stopped the local stack (pid ${state.pid})`
      : `the local stack (pid ${state.pid}) did not stop within 60 s and was killed`,
  );
}

/** `dev status`: the stack's state and endpoints. */
function status(flags: { json?: boolean }): void {
  const state = readState(stackDir());
  const running = state !== undefined && alive(state.pid);
  if (!running || !state) {
    printResult(flags, { running: false }, 'no local stack is running (start one with gavel dev up)');
    return;
  }
  printResult(
    flags,
    { running, ...state },
    state.endpoints
      ? [`local stack up since ${state.startedAt} (pid ${state.pid}):`, ...endpointLines(state.endpoints)]
      : `local stack ${state.status}${state.step ? `: ${state.step}` : ''} (pid ${state.pid})`,
  );
}

export function devCommand(program: Command): void {
  const dev = program.command('dev').description('run the whole marketplace on this machine');

  stackOptions(
    dev
      .command('up')
      .description(
        'start anvil + contracts, NATS, a database, the coordinator and staked provers in the background',
      )
      .option('--foreground', 'run in this terminal until Ctrl-C instead of in the background')
      .option('--json', 'print one JSON document on stdout'),
  ).action(up);

  stackOptions(dev.command('serve', { hidden: true })).action(async (flags: UpFlags) => {
    await serve({ ...flags, json: true }, stackDir(), () => {});
  });

  dev
    .command('down')
    .description('stop the local stack started by gavel dev up, and everything it started')
    .option('--json', 'print one JSON document on stdout')
    .action(down);

  dev
    .command('status')
    .description("the local stack's state and endpoints")
    .option('--json', 'print one JSON document on stdout')
    .action(status);
}

/** The up flags, passed on to the background `dev serve`. */
function forwardFlags(f: UpFlags): string[] {
  const args = [
    '--provers',
    f.provers,
    '--watchtowers',
    f.watchtowers,
    '--coordinators',
    f.coordinators,
    '--nats-cluster',
    f.natsCluster,
    '--rpc-port',
    f.rpcPort,
    '--port',
    f.port,
  ];
  args.push('--deployment', f.deployment, '--log-level', f.logLevel);
  if (f.databaseUrl) args.push('--database-url', f.databaseUrl);
  return args;
}
