// Refuses replayed signed messages: each key (a prover, or a prover's attempt) must carry a
// timestamp within a window of this clock and strictly later than the last one accepted for it.
// Kept in memory, per process, bounded.

export class ReplayGuard {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 100_000,
  ) {}

  /** Why a message stamped `at` for `key` is refused, or undefined when it is accepted (and recorded). */
  check(key: string, at: number, now = Date.now()): string | undefined {
    if (Math.abs(now - at) > this.windowMs)
      return `timestamp ${at} is more than ${this.windowMs / 1000} s from now`;
    const previous = this.last.get(key);
    if (previous !== undefined && at <= previous)
      return `timestamp ${at} is not after the last one (${previous}): replayed`;
    this.last.delete(key);
    this.last.set(key, at);
    if (this.last.size > this.maxKeys) this.last.delete(this.last.keys().next().value as string);
    return undefined;
  }
}
