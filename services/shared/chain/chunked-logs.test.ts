import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOG_CHUNK_BLOCKS, readInChunks } from './chunked-logs.js';

test('a long range is read in capped pieces, in order, with nothing left out or read twice', async () => {
  const ranges: [number, number][] = [];
  // An RPC that refuses any range longer than the chunk, as public endpoints do.
  const rpc = async (from: number, to: number) => {
    if (to - from + 1 > LOG_CHUNK_BLOCKS) throw new Error('block range too large');
    ranges.push([from, to]);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  };
  await assert.rejects(rpc(100, 100 + LOG_CHUNK_BLOCKS), /too large/);
  const blocks = await readInChunks(100, 100 + 2 * LOG_CHUNK_BLOCKS + 5, rpc);
  assert.equal(blocks.length, 2 * LOG_CHUNK_BLOCKS + 6);
  assert.ok(blocks.every((b, i) => b === 100 + i));
  assert.equal(ranges.length, 3);
  assert.deepEqual(await readInChunks(10, 9, rpc), []);
});
