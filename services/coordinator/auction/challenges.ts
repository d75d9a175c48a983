// Challenged bid receipts: anyone holding a receipt a coordinator of this market signed may
// challenge it on AuctionAudit, and an unanswered challenge costs that coordinator its bond. This
// loop follows the Challenged events and queues an answer (the bid's leaf and proof in the
// committed transcript) for each, all those it read at once together; the outbox sends the due
// answers in batches, one transaction each. A challenged bid missing from our own transcript is
// an error of ours: it is raised as an alert.
import { readInChunks } from '../../shared/chain/chunked-logs.js';
import type { CoordinatorContext } from '../context.js';
import { enqueueAll, type OutboxEntry } from '../lifecycle/outbox-entries.js';
import { revealTranscript } from './transcript.js';

interface ChallengeEvent {
  bidDigest: string;
  jobId: string;
  attempt: number;
  /** Who signed the challenged receipt. */
  coordinator: string;
}

async function challengesSince(ctx: CoordinatorContext, fromBlock: number, toBlock: number) {
  const audit = ctx.chain.audit;
  const logs = await readInChunks(fromBlock, toBlock, (from, to) =>
    audit.queryFilter('Challenged', from, to),
  );
  return logs.flatMap((log): ChallengeEvent[] => {
    const e = audit.interface.parseLog(log);
    return e
      ? [
          {
            bidDigest: e.args.bidDigest,
            jobId: e.args.jobId,
            attempt: Number(e.args.attempt),
            coordinator: String(e.args.coordinator).toLowerCase(),
          },
        ]
      : [];
  });
}

/** Whether `address` is one of this market's replica keys we run (this one, or a live replica). */
async function isOurKey(ctx: CoordinatorContext, address: string): Promise<boolean> {
  if ((await ctx.signer.getAddress()).toLowerCase() === address) return true;
  return (await ctx.replicas.list()).some((r) => r.address.toLowerCase() === address);
}

/** The answer to challenge `c`: its bid's leaf and proof in our transcript, or undefined when
 *  the transcript is not ours (or, an error of ours raised as an alert, lacks the bid). */
async function answerTo(ctx: CoordinatorContext, c: ChallengeEvent): Promise<OutboxEntry | undefined> {
  const transcript = await revealTranscript(ctx.prisma, ctx.domain, c.jobId.toLowerCase(), c.attempt);
  const entry = transcript?.entries.find((e) => e.bidDigest.toLowerCase() === c.bidDigest.toLowerCase());
  if (!entry) {
    // Another coordinator's auction (the market may have several) is not ours to answer; a
    // receipt of ours whose bid we do not hold is an error of ours.
    if (transcript || (await isOurKey(ctx, c.coordinator)))
      ctx.log.error({ ...c }, 'ALERT: a challenged receipt names a bid our transcript does not hold');
    return undefined;
  }
  return {
    kind: 'ANSWER_CHALLENGE',
    jobId: c.jobId.toLowerCase(),
    attempt: c.attempt,
    bidDigest: c.bidDigest,
    standing: entry.standing,
    proof: entry.proof,
  };
}

/** Queues the answers to `challenges` together (one already queued, by another replica or before
 *  a restart, is not queued twice). */
async function queueAnswers(ctx: CoordinatorContext, challenges: ChallengeEvent[]): Promise<void> {
  const answers: OutboxEntry[] = [];
  for (const c of challenges) {
    const answer = await answerTo(ctx, c);
    if (answer) answers.push(answer);
  }
  if (answers.length === 0) return;
  const queued = await ctx.prisma.$transaction((tx) => enqueueAll(tx, answers));
  if (queued === 0) return;
  ctx.kick.outbox();
  ctx.log.warn(
    { challenges: queued },
    'bid receipts were challenged: answering with their places in the transcript',
  );
}

/** The loop: reads Challenged events from the deployment's block on (again after a restart: an
 *  answer already queued is not queued twice). */
export function challengeWatch() {
  let fromBlock: number | undefined;
  return async (ctx: CoordinatorContext): Promise<number> => {
    fromBlock ??= ctx.chain.deployment.blockNumber;
    const head = await (ctx.chain.audit.runner?.provider?.getBlockNumber() ?? Promise.resolve(fromBlock - 1));
    if (head < fromBlock) return 0;
    const challenges = await challengesSince(ctx, fromBlock, head);
    await queueAnswers(ctx, challenges);
    fromBlock = head + 1;
    return challenges.length;
  };
}
