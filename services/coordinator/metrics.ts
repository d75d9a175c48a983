// Counters the coordinator keeps (exposed by /metrics in a later stage; read by tests now).
export class Metrics {
  readonly counters = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }
}
