// The chain's clock: every deadline (a job's, an attempt's, a bid's expiry) is judged by block
// time, so every deadline decision asks this clock, never Date.now(). The wall clock serves
// windows, timeouts and backoffs only.
//
// Two readings:
//  - `hasPassed(t)`: a mined block's timestamp is past t, so any transaction sent now is mined at a
//    time past t (block timestamps never go back). Acting on it can never be "too early".
//  - `nowSeconds()`: an estimate for planning (how long is left, when to come back): the latest
//    block's timestamp plus the wall time elapsed since that block was first seen.
/** What the clock reads blocks from (an ethers provider fits). */
export interface BlockSource {
  getBlock(tag: 'latest'): Promise<{ number: number; timestamp: number } | null>;
}

/** Chain time, as every deadline rule reads it. */
export interface ChainTime {
  /** Estimated chain time now (seconds). */
  nowSeconds(): number;
  /** The latest mined block's timestamp. */
  latestSeconds(): number;
  /** True when a mined block is past `t`: a transaction sent now is judged after `t`. */
  hasPassed(t: number): boolean;
  /** The wall-clock time (epoch ms) at which chain time is estimated to reach `t`. */
  wallMsAt(t: number): number;
}

/** Wall time: windows, timeouts, backoffs and logs. */
export interface WallClock {
  nowMs(): number;
}

export const wallClock: WallClock = { nowMs: () => Date.now() };

/** Both clocks, as the coordinator, the prover agent and the watchtower receive them. */
export interface Clocks {
  chain: ChainTime;
  wall: WallClock;
}

export class ChainClock implements ChainTime {
  private block = { number: -1, timestamp: 0 };
  private seenAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly source: BlockSource,
    private readonly pollMs = 1000,
    private readonly wall: WallClock = wallClock,
  ) {}

  private stopped = false;

  /** Reads the latest block once, then follows new blocks every `pollMs` until stop(). */
  async start(): Promise<this> {
    await this.refresh();
    const tick = () => {
      // A read in flight at stop() must not start the next one.
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.refresh().finally(tick), this.pollMs);
      this.timer.unref();
    };
    tick();
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads the latest block now (a failed read keeps the last one: the estimate goes on). */
  refresh(): Promise<void> {
    this.reading ??= this.source
      .getBlock('latest')
      .then((b) => {
        if (b) this.see(b.number, b.timestamp);
      })
      .catch(() => undefined)
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  /** Records a block (also for blocks learned otherwise, such as a transaction's receipt). */
  see(number: number, timestamp: number): void {
    if (number <= this.block.number) return;
    this.block = { number, timestamp };
    this.seenAtMs = this.wall.nowMs();
  }

  latestSeconds(): number {
    return this.block.timestamp;
  }

  nowSeconds(): number {
    return this.block.timestamp + (this.wall.nowMs() - this.seenAtMs) / 1000;
  }

  hasPassed(t: number): boolean {
    return this.block.timestamp > t;
  }

  wallMsAt(t: number): number {
    return this.wall.nowMs() + (t - this.nowSeconds()) * 1000;
  }
}
