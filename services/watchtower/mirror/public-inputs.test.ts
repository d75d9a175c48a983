// A coordinator's answer to a public-inputs read is read only up to the mirror's limit: a hostile
// or broken coordinator cannot make a watchtower buffer an endless body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyUpTo } from './public-inputs.js';

/** A response whose body is `chunks` chunks of 1 KiB, counting how many were pulled. */
function streamed(chunks: number) {
  const pulled = { count: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.count === chunks) return controller.close();
      pulled.count++;
      controller.enqueue(new Uint8Array(1024).fill(7));
    },
  });
  return { res: new Response(body), pulled };
}

test('a body within the limit is read whole', async () => {
  const { res } = streamed(4);
  assert.equal((await bodyUpTo(res, 4096))?.length, 4096);
});

test('a body past the limit is refused without reading the rest', async () => {
  const { res, pulled } = streamed(1_000_000);
  assert.equal(await bodyUpTo(res, 8 * 1024), undefined);
  assert.ok(pulled.count < 32, `read ${pulled.count} KiB of an endless body`);
});
