import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KV } from '@nats-io/kv';
import { GavelError } from '../errors.js';
import { kvKeys, placed } from './connection.js';

/** A bucket whose key listing yields `keys`, then (with `hang`) never ends, as a watch of a
 *  stream without a leader does; `stopped` records how the listing was ended. */
function bucket(keys: string[], hang: boolean) {
  const state: { stopped?: Error } = {};
  const kv = {
    keys: async () => {
      let release: (() => void) | undefined;
      const listing = {
        async *[Symbol.asyncIterator]() {
          yield* keys;
          if (!hang) return;
          await new Promise<void>((r) => {
            release = r;
          });
          if (state.stopped) throw state.stopped;
        },
        stop(err?: Error) {
          state.stopped = err ?? new Error('stopped');
          release?.();
        },
      };
      return listing;
    },
  } as unknown as KV;
  return { kv, state };
}

test('a listing that ends returns every key', async () => {
  assert.deepEqual([...(await kvKeys(bucket(['a', 'b', 'a'], false).kv, 1000))], ['a', 'b']);
});

test('a listing that never ends is stopped and refused NATS_UNAVAILABLE at the timeout', async () => {
  const { kv, state } = bucket(['a'], true);
  await assert.rejects(
    kvKeys(kv, 50),
    (e: unknown) => e instanceof GavelError && e.code === 'NATS_UNAVAILABLE',
  );
  assert.ok(state.stopped, 'the watch was stopped, not left running');
});

test('a replicated declaration is tried again while the cluster cannot place it, and only then', async () => {
  let tries = 0;
  const declared = await placed(async () => {
    tries++;
    if (tries < 3) throw new Error('no suitable peers for placement');
    return 'declared';
  });
  assert.deepEqual([declared, tries], ['declared', 3]);
  let other = 0;
  await assert.rejects(
    placed(async () => {
      other++;
      throw new Error('stream name already in use');
    }),
    /already in use/,
  );
  assert.equal(other, 1, 'any other refusal is not tried again');
});
