// The JetStream loop that feeds results to verification: one durable consumer shared by every
// coordinator replica (each result handled once), restarted after an interruption. A replica
// handles a few results at once, so one result's signature checks and database writes overlap
// another's verification (in the backend's worker thread or `bb` process, which queue calls in
// order); recordProof locks the assignment, so results completing one batch together are still
// counted one after the other.
import type { JsMsg } from '@nats-io/jetstream';
import { PULL_EXPIRES_MS } from '../../shared/nats/connection.js';
import { RESULTS_CONSUMER, WORK_STREAM } from '../../shared/protocol/subjects.js';
import { sleep } from '../../shared/retry.js';
import type { CoordinatorContext } from '../context.js';
import { onResult } from './verify-result.js';

/** Results a replica handles at once. */
export const RESULTS_IN_FLIGHT = 4;

export interface ResultConsumer {
  stop(): Promise<void>;
}

/** Handles one result; a failure to handle it (not a verdict) redelivers it. */
async function handle(ctx: CoordinatorContext, m: JsMsg): Promise<void> {
  try {
    const outcome = await onResult(ctx, m);
    ctx.log.debug({ subject: m.subject, outcome }, 'result handled');
  } catch (e) {
    ctx.log.error({ err: e }, 'result handling failed; redelivering');
    m.nak(1000);
  }
}

export function consumeResults(ctx: CoordinatorContext): ResultConsumer {
  let stopping = false;
  let close: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping) {
      try {
        const consumer = await ctx.js.consumers.get(WORK_STREAM, RESULTS_CONSUMER);
        const messages = await consumer.consume({ max_messages: 8, expires: PULL_EXPIRES_MS });
        close = () => void messages.close();
        const inFlight = new Set<Promise<void>>();
        try {
          for await (const m of messages) {
            const handled = handle(ctx, m).finally(() => inFlight.delete(handled));
            inFlight.add(handled);
            if (inFlight.size >= RESULTS_IN_FLIGHT) await Promise.race(inFlight);
          }
        } finally {
          await Promise.all(inFlight);
        }
      } catch (e) {
        if (!stopping) ctx.log.warn({ err: e }, 'results consumer interrupted; retrying');
        await sleep(500);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      close?.();
      await loop;
    },
  };
}
