// Attempt deadlines: a winner holds its job until the delivery time it signed in its bid (the
// chain's attempt deadline, kept in leaseUntil). Heartbeats report progress; silence alone fails
// nobody. Past its attempt deadline an attempt fails, and the chain is asked to slash the prover,
// which it does only if the proofs are not on-chain by then (the prover may fulfil on its own).
import { parseHeartbeat } from '../../shared/protocol/messages.js';
import { verifySigned } from '../../shared/protocol/signed-message.js';
import { RESULTS_CONSUMER, subjectProver, WORK_STREAM } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext } from '../context.js';
import { AWARDED } from '../lifecycle/assignment-transitions.js';
import { failAttempt } from '../lifecycle/attempts.js';
import { moveJob } from '../lifecycle/job-transitions.js';

/** Handles one heartbeat message from `subject`; returns why it was ignored, or 'ok'. */
export async function onHeartbeat(
  ctx: CoordinatorContext,
  data: Uint8Array,
  subject: string,
): Promise<string> {
  // Only the prover the subject names can publish on it (NATS permissions): limited before the
  // signature is even checked.
  if (!ctx.limits.heartbeats.take(subjectProver(subject))) {
    ctx.metrics.messagesRejected.inc({ kind: 'heartbeat_rate' });
    return 'rate limited';
  }
  let hb: ReturnType<typeof parseHeartbeat>;
  try {
    hb = parseHeartbeat(data);
  } catch {
    ctx.metrics.messagesRejected.inc({ kind: 'heartbeat' });
    return 'malformed';
  }
  if (!verifySigned(hb) || hb.signer.toLowerCase() !== hb.body.prover.toLowerCase()) {
    ctx.metrics.messagesRejected.inc({ kind: 'heartbeat' });
    return 'bad signature';
  }
  if (subjectProver(subject) !== hb.signer.toLowerCase()) {
    ctx.metrics.messagesRejected.inc({ kind: 'heartbeat' });
    return "sent on another prover's subject";
  }
  const { jobId, attempt, done, total } = hb.body;
  const prover = hb.signer.toLowerCase();
  if (ctx.replay.check(`heartbeat:${prover}:${jobId}:${attempt}`, hb.body.at)) {
    ctx.metrics.messagesRejected.inc({ kind: 'heartbeat' });
    return 'replayed or stale';
  }
  // Heartbeats can be handled out of order: progress only ever grows.
  const count = await ctx.prisma.$executeRaw`
    UPDATE "Assignment" SET progress = GREATEST(progress, ${Math.min(done, total)})
    WHERE "jobId" = ${jobId} AND attempt = ${attempt} AND prover = ${prover}
      AND status::text = ANY(${AWARDED})`;
  if (count === 0) return 'no active assignment';
  await ctx.prisma.$transaction((tx) =>
    moveJob(tx, jobId, ['ASSIGNED'], 'PROVING', `proving started by ${prover}`),
  );
  return 'ok';
}

/** Fails every awarded assignment whose attempt deadline a mined block has passed; the chain is
 *  asked to slash (SLASH_LATE), which it does only when the proofs are not on-chain. */
export async function sweepLeases(ctx: CoordinatorContext): Promise<number> {
  const passed = new Date(ctx.clock.chain.latestSeconds() * 1000);
  const due = await ctx.prisma.assignment.findMany({
    where: { status: { in: AWARDED }, leaseUntil: { lt: passed } },
    take: 50,
  });
  let failed = 0;
  for (const a of due) {
    const reason = a.verifierBlocked
      ? `our verifier could not judge the results of ${a.prover} before its attempt deadline`
      : `${a.prover} did not deliver by its attempt deadline`;
    const then = { kind: 'SLASH_LATE' as const };
    const blame = !a.verifierBlocked;
    const ok = await ctx.prisma.$transaction((tx) =>
      failAttempt(tx, a.jobId, a.attempt, reason, then, blame),
    );
    if (ok) {
      failed++;
      ctx.metrics.failures.inc({ reason: a.verifierBlocked ? 'verifier_error' : 'attempt_deadline' });
      ctx.log.warn(
        { jobId: a.jobId, prover: a.prover, attemptDeadline: a.leaseUntil, chainTime: passed },
        reason,
      );
    }
  }
  if (failed > 0) ctx.kick.outbox();
  return failed;
}

/**
 * The deadline stage of a coordinator started at `startedAt`: results sent while it was down wait
 * in the stream, so no attempt is judged until that backlog is verified (or, against a flood that
 * never drains, until 30 s have passed).
 */
export function leaseStage(startedAt = Date.now()) {
  // Wall time: a bound on how long a backlog may hold the stage back, not a deadline.
  let caughtUp = false;
  return async (ctx: CoordinatorContext): Promise<number> => {
    if (!caughtUp) {
      const info = await (await ctx.js.consumers.get(WORK_STREAM, RESULTS_CONSUMER)).info();
      const drained = info.num_pending === 0 && info.num_ack_pending === 0;
      if (!drained && Date.now() < startedAt + 30_000) return 0;
      caughtUp = true;
      ctx.log.info({ drained }, 'results backlog handled: attempt deadlines are judged from now');
    }
    return sweepLeases(ctx);
  };
}
