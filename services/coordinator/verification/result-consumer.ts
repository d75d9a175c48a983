// The JetStream loop that feeds results to verification: one durable consumer shared by every
// coordinator replica (each result handled once), restarted after an interruption.
import { errorMessage } from '../../shared/errors.js';
import { PULL_EXPIRES_MS } from '../../shared/nats/connection.js';
import { RESULTS_CONSUMER, WORK_STREAM } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext } from '../context.js';
import { onResult } from './verify-result.js';

export interface ResultConsumer {
  stop(): Promise<void>;
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
        for await (const m of messages) {
          try {
            const outcome = await onResult(ctx, m);
            ctx.log.debug({ subject: m.subject, outcome }, 'result handled');
          } catch (e) {
            ctx.log.error({ err: errorMessage(e) }, 'result handling failed; redelivering');
            m.nak(1000);
          }
        }
      } catch (e) {
        if (!stopping) ctx.log.warn({ err: errorMessage(e) }, 'results consumer interrupted; retrying');
        await new Promise((r) => setTimeout(r, 500));
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
