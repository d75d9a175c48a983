// Clocks set by hand, for unit tests of the deadline rules: chain time and wall time move together
// when `advance` is called, and chain time alone when `chainJump` is (a test moving the chain).
import type { ChainTime, WallClock } from './chain-clock.js';

export interface FakeClocks {
  chain: ChainTime & { refresh(): Promise<void>; stop(): void };
  wall: WallClock;
  /** Chain seconds now. */
  readonly seconds: number;
  /** Moves both clocks forward by `seconds`. */
  advance(seconds: number): void;
  /** Moves chain time only (a block far ahead of the wall clock, as evm_increaseTime makes). */
  chainJump(seconds: number): void;
}

export function fakeClocks(chainSeconds: number, wallMs = chainSeconds * 1000): FakeClocks {
  const t = { chain: chainSeconds, wall: wallMs };
  const wall: WallClock = { nowMs: () => t.wall };
  const chain = {
    nowSeconds: () => t.chain,
    latestSeconds: () => t.chain,
    hasPassed: (at: number) => t.chain > at,
    wallMsAt: (at: number) => t.wall + (at - t.chain) * 1000,
    refresh: async () => undefined,
    stop: () => undefined,
  };
  return {
    chain,
    wall,
    get seconds() {
      return t.chain;
    },
    advance(seconds) {
      t.chain += seconds;
      t.wall += seconds * 1000;
    },
    chainJump(seconds) {
      t.chain += seconds;
    },
  };
}
