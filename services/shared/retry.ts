// One way to try again: every loop that retries an operation or waits for a condition uses these,
// so each says only what it retries on, how long it waits between tries and when it gives up.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** How a retried operation is retried. */
export interface RetryPolicy {
  /** Whether a failure on try `tries` (1 for the first) is worth another try. */
  shouldRetry: (err: unknown, tries: number) => boolean;
  /** The pause before the next try, in ms: a constant, or a function of the tries made. */
  delayMs: number | ((tries: number) => number);
}

/** Runs `operation` until it succeeds or `policy.shouldRetry` says no; then throws its error. */
export async function retry<T>(operation: (tries: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await operation(tries);
    } catch (err) {
      if (!policy.shouldRetry(err, tries)) throw err;
      await sleep(typeof policy.delayMs === 'number' ? policy.delayMs : policy.delayMs(tries));
    }
  }
}

/** A pause growing by `stepMs` a try, up to `maxMs`. */
export function linearBackoff(stepMs: number, maxMs: number): (tries: number) => number {
  return (tries) => Math.min(stepMs * tries, maxMs);
}

/** True while the wall clock is before `untilMs` (for `shouldRetry` with a time limit). */
export function stillBefore(untilMs: number): boolean {
  return Date.now() <= untilMs;
}

/** Resolves once `check()` is true, polling every `everyMs`; false if `timeoutMs` passes first. */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  opts: { everyMs: number; timeoutMs: number },
): Promise<boolean> {
  const until = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await sleep(opts.everyMs);
  }
}
