// A prover agent in its own process (`gavel prover start`), as provers run for real: its proving
// never stalls the coordinator's event loop, and it can be stopped or killed on its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { GavelError } from '../shared/errors.js';
import { repoRoot } from '../shared/paths.js';

export interface ProverProcessOptions {
  /** Environment of the agent (GAVEL_PRIVATE_KEY, NATS_URL, ...; see the prover settings). */
  env: Record<string, string>;
  /** Where the agent's log lines (stderr) go. */
  stderr?: 'inherit' | 'ignore';
  startTimeoutMs?: number;
}

export class ProverProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    /** What the agent printed when ready: address, backend, speed, metrics URL. */
    readonly ready: Record<string, unknown>,
  ) {}

  static async start(opts: ProverProcessOptions): Promise<ProverProcess> {
    const child = spawn(process.execPath, [`${repoRoot}/services/cli/gavel.mjs`, 'prover', 'start'], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', opts.stderr ?? 'inherit'],
    });
    const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new GavelError('PROVER_FAILED', 'the prover agent did not become ready in time'));
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
        reject(new GavelError('PROVER_FAILED', `the prover agent exited with code ${code} during start-up`));
      });
    });
    return new ProverProcess(child, child.pid as number, ready);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stops the agent (SIGTERM: it hands back an award in progress), SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
