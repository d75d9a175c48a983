// Leases: a winner holds its job while it heartbeats; a lapsed lease is a failed attempt.
import { parseHeartbeat } from '../../shared/protocol/messages.js';
import { verifySigned } from '../../shared/protocol/signed-message.js';
import type { CoordinatorContext } from '../context.js';
import { failAttempt } from '../lifecycle/attempts.js';
import { moveJob } from '../lifecycle/job-transitions.js';

/** Handles one heartbeat message; returns why it was ignored, or 'ok'. */
export async function onHeartbeat(ctx: CoordinatorContext, data: Uint8Array): Promise<string> {
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
  const { jobId, attempt, done, total } = hb.body;
  const prover = hb.signer.toLowerCase();
  // Heartbeats can be handled out of order: progress only ever grows.
  const count = await ctx.prisma.$executeRaw`
    UPDATE "Assignment" SET "leaseUntil" = ${new Date(Date.now() + ctx.config.leaseMs)},
      progress = GREATEST(progress, ${Math.min(done, total)})
    WHERE "jobId" = ${jobId} AND attempt = ${attempt} AND prover = ${prover} AND status = 'ACTIVE'`;
  if (count === 0) return 'no active assignment';
  await ctx.prisma.$transaction((tx) =>
    moveJob(tx, jobId, ['ASSIGNED'], 'PROVING', `proving started by ${prover}`),
  );
  return 'ok';
}

/** Fails every active assignment whose lease has lapsed. */
export async function sweepLeases(ctx: CoordinatorContext): Promise<number> {
  const lapsed = await ctx.prisma.assignment.findMany({
    where: { status: 'ACTIVE', leaseUntil: { lt: new Date() } },
    take: 50,
  });
  let failed = 0;
  for (const a of lapsed) {
    const ok = await ctx.prisma.$transaction((tx) =>
      failAttempt(
        tx,
        a.jobId,
        a.attempt,
        `lease of ${a.prover} lapsed (no heartbeat for ${ctx.config.leaseMs} ms)`,
      ),
    );
    if (ok) {
      failed++;
      ctx.metrics.failures.inc({ reason: 'lease_lapsed' });
      ctx.log.warn({ jobId: a.jobId, prover: a.prover }, 'lease lapsed: attempt failed');
    }
  }
  return failed;
}
