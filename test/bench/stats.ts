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

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

/** Where a V8 CPU profile (.cpuprofile) spent its busy samples (idle ones left out), by package
 *  (node_modules/<name>), our own file, or node's internals: the top `n` as percentages. */
export function profileBuckets(profile: { nodes: CpuProfileNode[]; samples: number[] }, n = 12) {
  const bucketOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { url, functionName } = node.callFrame;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const own = /\/(services\/.+)$/.exec(url)?.[1];
    const internal = url.startsWith('node:') ? 'node internals' : undefined;
    bucketOf.set(
      node.id,
      pkg ?? own ?? internal ?? (url ? url.split('/').slice(-2).join('/') : `(${functionName || 'native'})`),
    );
  }
  const counts = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const b = bucketOf.get(id) ?? '?';
    if (b === '((idle))') continue;
    total++;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  total ||= 1;
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([where, c]) => ({ where, percent: Math.round((c / total) * 1000) / 10 }));
}
