// Leases: a winner holds its job while it heartbeats; a lapsed lease is a failed attempt. After a
// restart no lease is judged until the results sent meanwhile have been handled.
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
    UPDATE "Assignment" SET "leaseUntil" = GREATEST("leaseUntil", ${new Date(Date.now() + ctx.config.leaseMs)}),
      progress = GREATEST(progress, ${Math.min(done, total)})
    WHERE "jobId" = ${jobId} AND attempt = ${attempt} AND prover = ${prover}
      AND status::text = ANY(${AWARDED})`;
  if (count === 0) return 'no active assignment';
  await ctx.prisma.$transaction((tx) =>
    moveJob(tx, jobId, ['ASSIGNED'], 'PROVING', `proving started by ${prover}`),
  );
  return 'ok';
}

/** Fails every awarded assignment whose lease has lapsed, or whose job's deadline has passed. */
export async function sweepLeases(ctx: CoordinatorContext): Promise<number> {
  const now = new Date();
  const due = await ctx.prisma.assignment.findMany({
    where: {
      status: { in: AWARDED },
      OR: [{ leaseUntil: { lt: now } }, { job: { deadline: { lt: now } } }],
    },
    take: 50,
  });
  let failed = 0;
  for (const a of due) {
    const lapsed = a.leaseUntil !== null && a.leaseUntil < now;
    const why = a.verifierBlocked ? 'verifier_error' : lapsed ? 'lease_lapsed' : 'deadline_missed';
    const reason = {
      verifier_error: `our verifier could not judge the results of ${a.prover} before the deadline`,
      lease_lapsed: `lease of ${a.prover} lapsed (no heartbeat for ${ctx.config.leaseMs} ms)`,
      deadline_missed: `${a.prover} did not deliver before the deadline`,
    }[why];
    const blame = !a.verifierBlocked;
    const ok = await ctx.prisma.$transaction((tx) => failAttempt(tx, a.jobId, a.attempt, reason, blame));
    if (ok) {
      failed++;
      ctx.metrics.failures.inc({ reason: why });
      ctx.log.warn({ jobId: a.jobId, prover: a.prover }, reason);
    }
  }
  if (failed > 0) ctx.kick.outbox();
  return failed;
}

/**
 * The lease stage of a coordinator started at `startedAt`. Heartbeats sent while it was down went
 * unheard, and results sent meanwhile wait in the stream: no lease is judged until that backlog is
 * verified (or, against a flood that never drains, until a bound has passed). Then every lease
 * gets a fresh term from that moment.
 */
export function leaseStage(startedAt = Date.now()) {
  let caughtUp = false;
  return async (ctx: CoordinatorContext): Promise<number> => {
    if (!caughtUp) {
      const info = await (await ctx.js.consumers.get(WORK_STREAM, RESULTS_CONSUMER)).info();
      const drained = info.num_pending === 0 && info.num_ack_pending === 0;
      const bound = startedAt + Math.max(30_000, 3 * ctx.config.leaseMs);
      if (!drained && Date.now() < bound) return 0;
      // (An assignment our verifier is stuck on keeps its lease until the deadline.)
      await ctx.prisma.assignment.updateMany({
        where: { status: { in: AWARDED }, verifierBlocked: false },
        data: { leaseUntil: new Date(Date.now() + ctx.config.leaseMs) },
      });
      caughtUp = true;
      ctx.log.info({ drained }, 'results backlog handled: leases are judged from now');
    }
    return sweepLeases(ctx);
  };
}
