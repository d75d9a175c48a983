// ANSWER_CHALLENGE: a bid receipt of ours was challenged on AuctionAudit; the answer is the bid's
// leaf and Merkle proof in the transcript committed at assignment. Anyone may answer, so whichever
// replica runs this answers for all; a challenge already closed is recorded, not answered twice.
// Due answers go on-chain together (answerMany), so a flood of challenges is answered in batches,
// one transaction each, not one transaction per challenge (review N6).
import { AuctionAudit, type Committed } from '../../../shared/chain/auction-audit.js';
import {
  claimMoreOf,
  entryOf,
  markDone,
  markFailed,
  type OutboxEntry,
  type OutboxRow,
} from '../../lifecycle/outbox-entries.js';
import type { ActionHandler, ActionRun } from './action.js';

/** Answers sent in one transaction at most (about 60 k gas each). */
export const MAX_ANSWERS_PER_TX = 40;

type AnswerEntry = Extract<OutboxEntry, { kind: 'ANSWER_CHALLENGE' }>;
interface Ready {
  row: OutboxRow;
  entry: AnswerEntry;
  committed: Committed;
}

/** The answer of `row`, or undefined (with the row recorded) when there is none to send. */
async function readyAnswer(run: ActionRun, audit: AuctionAudit, row: OutboxRow): Promise<Ready | undefined> {
  const entry = entryOf(row) as AnswerEntry;
  const challenge = await audit.challengeOf(entry.bidDigest);
  if (!challenge?.open) {
    await markDone(run.tx, row.id, null, 'the challenge is closed');
    return undefined;
  }
  const committed = await audit.committed(entry.jobId, entry.attempt, run.ctx.chain.deployment.blockNumber);
  if (!committed) {
    await markFailed(run.tx, row.id, 'no transcript committed on-chain for this attempt');
    run.log.error({ bidDigest: entry.bidDigest }, 'ALERT: a challenged attempt has no committed transcript');
    return undefined;
  }
  return { row, entry, committed };
}

export const answerChallenge: ActionHandler<'ANSWER_CHALLENGE'> = async (run) => {
  const { ctx, tx, row, log } = run;
  const audit = new AuctionAudit(ctx.chain);
  const rows = [row, ...(await claimMoreOf(tx, 'ANSWER_CHALLENGE', row.id, MAX_ANSWERS_PER_TX - 1))];
  const ready: Ready[] = [];
  for (const r of rows) {
    const answer = await readyAnswer(run, audit, r);
    if (answer) ready.push(answer);
  }
  if (ready.length === 0) return;
  const receipt = await audit.answerMany(ready.map(({ entry, committed }) => ({ ...entry, committed })));
  ctx.metrics.chainTx.inc({ kind: 'answer_challenge' });
  const skipped = new Set(
    audit
      .events(receipt.logs)
      .filter((e) => e.name === 'AnswerSkipped')
      .map((e) => String(e.args.bidDigest).toLowerCase()),
  );
  for (const { row: r, entry } of ready) {
    if (!skipped.has(entry.bidDigest.toLowerCase())) {
      await markDone(tx, r.id, receipt.hash);
      continue;
    }
    // Left out: answered by someone else meanwhile, or (an error of ours) not in the transcript.
    if (!(await audit.challengeOf(entry.bidDigest))?.open) {
      await markDone(tx, r.id, null, 'the challenge was closed by another answer');
      continue;
    }
    await markFailed(tx, r.id, 'the answer does not check out against the committed transcript');
    log.error({ bidDigest: entry.bidDigest }, 'ALERT: a challenged receipt could not be answered');
  }
  log.info(
    { answered: ready.length - skipped.size, skipped: skipped.size, txHash: receipt.hash },
    'challenged receipts answered',
  );
};
