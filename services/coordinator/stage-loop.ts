// A timed stage that never runs twice at once: it runs every `intervalMs`, and at once when
// kicked (a kick during a run queues exactly one more run right after it).
export class StageLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
  }

  /** Runs the stage now (or right after the run in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.run();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Kicks the stage at `atMs` (epoch ms). */
  kickAt(atMs: number): void {
    if (!this.stopped) setTimeout(() => this.kick(), Math.max(0, atMs - Date.now())).unref();
  }

  /** Stops the timer and waits for the run in progress, at most `waitMs`: a run stuck on a call
   *  that never returns must not keep the process from stopping. Returns whether it finished. */
  async stop(waitMs = 15_000): Promise<boolean> {
    this.stopped = true;
    clearInterval(this.timer);
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), waitMs);
    });
    const finished = await Promise.race([this.running.then(() => true as const), gaveUp]);
    clearTimeout(timer);
    return finished;
  }
}
