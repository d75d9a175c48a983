// The outbox: every on-chain action is a row written in the same transaction as the state change
// that needs it (lifecycle/outbox-entries.ts), executed here exactly once across restarts, one
// action file per kind (actions/).
import { ContractRevertError } from '../../shared/chain/contract-errors.js';
import { errorMessage } from '../../shared/errors.js';
import type { CoordinatorContext, Tx } from '../context.js';
import { claimNext, entryOf, markFailed, type OutboxRow, retryLater } from '../lifecycle/outbox-entries.js';
import type { ActionRun } from './actions/action.js';
import { answerChallenge } from './actions/answer-challenge.js';
import { assign, proverAtFault, refuseAssignment } from './actions/assign.js';
import { expire } from './actions/expire.js';
import { fulfil, fulfilRefused } from './actions/fulfil.js';
import { handBack } from './actions/hand-back.js';
import { slashInvalid } from './actions/slash-invalid.js';
import { slashLate } from './actions/slash-late.js';

/** Claims and runs due outbox actions one by one (one signer: one transaction at a time). */
export async function runOutbox(ctx: CoordinatorContext, max = 20): Promise<number> {
  let done = 0;
  while (done < max) {
    const ran = await ctx.prisma.$transaction(
      async (tx) => {
        const row = await claimNext(tx);
        if (row) await execute(ctx, tx, row);
        return row !== undefined;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
    if (!ran) break;
    done++;
  }
  return done;
}

async function dispatch(run: ActionRun): Promise<void> {
  const entry = entryOf(run.row);
  switch (entry.kind) {
    case 'ASSIGN':
      return assign(run, entry);
    case 'FULFIL':
      return fulfil(run, entry);
    case 'SLASH_LATE':
      return slashLate(run, entry);
    case 'SLASH_INVALID':
      return slashInvalid(run, entry);
    case 'HAND_BACK':
      return handBack(run, entry);
    case 'EXPIRE':
      return expire(run, entry);
    case 'ANSWER_CHALLENGE':
      return answerChallenge(run, entry);
    default: {
      const never: never = entry;
      throw new Error(`unknown outbox action ${JSON.stringify(never)}`);
    }
  }
}

async function execute(ctx: CoordinatorContext, tx: Tx, row: OutboxRow): Promise<void> {
  const log = ctx.log.child({ jobId: row.jobId, action: row.kind, outboxId: row.id });
  let run: ActionRun;
  try {
    run = { ctx, tx, row, onChain: await ctx.chain.job(row.jobId), log };
  } catch (err) {
    await retryLater(tx, row.id, errorMessage(err));
    return;
  }
  try {
    await dispatch(run);
  } catch (err) {
    if (!(err instanceof ContractRevertError)) {
      log.warn({ err: err }, 'on-chain action failed; will retry');
      await retryLater(tx, row.id, errorMessage(err));
      return;
    }
    // A revert is final for this action: record it and let the job's state machine react.
    log.warn({ err: err.message }, 'on-chain action reverted');
    const entry = entryOf(row);
    if (entry.kind === 'ASSIGN')
      await refuseAssignment(run, entry, err.message, proverAtFault(err.errorName));
    else if (entry.kind === 'FULFIL') await fulfilRefused(run, entry, err.message);
    else await markFailed(tx, row.id, err.message);
  }
}
