// The proving-time estimate every party uses: the coordinator's bid judge and re-auction check,
// and the prover's bid decision. Written once, so they can never disagree on a job's size.

/** Milliseconds to prove `batchSize` items of a `gates`-gate circuit at `gatesPerSec`; infinite
 *  for a prover that declared no speed. */
export function estimateProvingMs(gates: number, batchSize: number, gatesPerSec: number): number {
  return gatesPerSec > 0 ? Math.ceil(((gates * batchSize) / gatesPerSec) * 1000) : Number.POSITIVE_INFINITY;
}
