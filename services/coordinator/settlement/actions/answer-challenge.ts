// ANSWER_CHALLENGE: a bid receipt of ours was challenged on AuctionAudit; the answer is the bid's
// leaf and Merkle proof in the transcript committed at assignment. Anyone may answer, so whichever
// replica runs this answers for all; a challenge already closed is recorded, not answered twice.
import { AuctionAudit } from '../../../shared/chain/auction-audit.js';
import { markDone, markFailed } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';

export const answerChallenge: ActionHandler<'ANSWER_CHALLENGE'> = async ({ ctx, tx, row, log }, entry) => {
  const audit = new AuctionAudit(ctx.chain);
  const challenge = await audit.challengeOf(entry.bidDigest);
  if (!challenge?.open) {
    await markDone(tx, row.id, null, 'the challenge is closed');
    return;
  }
  const committed = await audit.committed(entry.jobId, entry.attempt, ctx.chain.deployment.blockNumber);
  if (!committed) {
    await markFailed(tx, row.id, 'no transcript committed on-chain for this attempt');
    log.error({ bidDigest: entry.bidDigest }, 'ALERT: a challenged attempt has no committed transcript');
    return;
  }
  const receipt = await audit.answer(entry.bidDigest, committed, entry.standing, entry.proof);
  ctx.metrics.chainTx.inc({ kind: 'answer_challenge' });
  await markDone(tx, row.id, receipt.hash);
  log.info({ bidDigest: entry.bidDigest, txHash: receipt.hash }, 'challenged receipt answered');
};
