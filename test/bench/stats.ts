// Summaries of repeated measurements: every headline figure is a median with its min and max.

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median, min and max of `samples`, rounded to `decimals`. */
export function spread(samples: number[], decimals = 1): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2
      ? (sorted[Math.floor(mid)] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const r = (x: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
  return {
    median: r(median),
    min: r(sorted[0] as number),
    max: r(sorted[sorted.length - 1] as number),
    runs: samples.length,
  };
}

/** The `p`th percentile of `xs` (nearest rank). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
