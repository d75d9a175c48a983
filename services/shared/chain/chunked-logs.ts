// Log reads over long block ranges, in pieces: public RPC endpoints cap the range of one
// eth_getLogs (commonly 1,000 to 10,000 blocks), and a watcher that reads from its deployment block
// in a single query fails on every tick there, so it never sees an event (review N6).

/** Blocks per log query. */
export const LOG_CHUNK_BLOCKS = 2000;

/** `read(from, to)` over [fromBlock, toBlock] in consecutive ranges of at most `chunk` blocks, in
 *  block order, their results concatenated. An empty range reads nothing. */
export async function readInChunks<T>(
  fromBlock: number,
  toBlock: number,
  read: (from: number, to: number) => Promise<readonly T[]>,
  chunk = LOG_CHUNK_BLOCKS,
): Promise<T[]> {
  const out: T[] = [];
  for (let from = fromBlock; from <= toBlock; from += chunk) {
    out.push(...(await read(from, Math.min(toBlock, from + chunk - 1))));
  }
  return out;
}
