// A Gavel service in its own process (`gavel prover start`, `gavel coordinator`), as they run for
// real: a prover's proving never stalls the coordinator's event loop, and each can be stopped or
// killed on its own. Ready when the service prints its {"event":"ready",...} line.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { GavelError } from '../shared/errors.js';
import { repoRoot } from '../shared/paths.js';

export interface ServiceProcessOptions {
  /** The gavel subcommand, e.g. ['prover', 'start']. */
  command: string[];
  /** Environment of the service (see the configuration reference). */
  env: Record<string, string>;
  /** Options for node itself (e.g. --cpu-prof for a profile written when the service stops). */
  nodeArgs?: string[];
  /** Where the service's log lines (stderr) go. */
  stderr?: 'inherit' | 'ignore';
  startTimeoutMs?: number;
}

export class ServiceProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    /** What the service printed when ready (a prover: address, speed, metrics URL; a coordinator: url). */
    readonly ready: Record<string, unknown>,
  ) {}

  static async start(opts: ServiceProcessOptions): Promise<ServiceProcess> {
    const what = opts.command.join(' ');
    const child = spawn(
      process.execPath,
      [...(opts.nodeArgs ?? []), `${repoRoot}/services/cli/gavel.mjs`, ...opts.command],
      {
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', 'pipe', opts.stderr ?? 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new GavelError('SERVICE_FAILED', `gavel ${what} did not become ready in time`));
      }, opts.startTimeoutMs ?? 60_000);
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line) as Record<string, unknown>;
          if (msg.event === 'ready') {
            clearTimeout(timer);
            resolve(msg);
          }
        } catch {}
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new GavelError('SERVICE_FAILED', `gavel ${what} exited with code ${code} during start-up`));
      });
    });
    return new ServiceProcess(child, child.pid as number, ready);
  }

  /** Resolves when the process has exited. */
  exited(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.child.once('exit', () => r()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stops the service (SIGTERM: a prover hands back an award in progress), SIGKILL after `graceMs`;
   *  with 'SIGKILL' it dies on the spot. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
