// A winner handing its attempt back (it refused inputs that do not match the escrow's commitment,
// or could not prove them): its EIP-712 HandBack signature releases it on-chain without a slash,
// and the job goes back to auction at once instead of waiting for its attempt deadline.
import { GavelError } from '../../shared/errors.js';
import { recoverHandBackSigner } from '../../shared/protocol/result-signing.js';
import type { CoordinatorContext } from '../context.js';
import { AWARDED } from '../lifecycle/assignment-transitions.js';
import { failAttempt } from '../lifecycle/attempts.js';

export interface HandBackRequest {
  attempt: number;
  signature: string;
  reason?: string;
}

export async function handBackAttempt(ctx: CoordinatorContext, jobId: string, req: HandBackRequest) {
  const { attempt, signature } = req;
  const assignment = await ctx.prisma.assignment.findUnique({ where: { jobId_attempt: { jobId, attempt } } });
  if (!assignment || !AWARDED.includes(assignment.status)) {
    throw new GavelError('NOT_ASSIGNED', `attempt ${attempt} of job ${jobId} is not held by anyone`);
  }
  const signer = recoverHandBackSigner(ctx.domain, jobId, attempt, signature)?.toLowerCase();
  if (signer !== assignment.prover) {
    throw new GavelError(
      'BAD_SIGNATURE',
      `the hand-back is not signed by the assigned prover ${assignment.prover}`,
    );
  }
  const reason = `handed back by ${signer}${req.reason ? `: ${req.reason}` : ''}`;
  const then = { kind: 'HAND_BACK' as const, signature };
  await ctx.prisma.$transaction((tx) => failAttempt(tx, jobId, attempt, reason, then));
  ctx.kick.outbox();
  ctx.log.info({ jobId, attempt, prover: signer }, 'attempt handed back');
  return { jobId, attempt, handedBack: true };
}
