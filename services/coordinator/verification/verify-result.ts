// Where proofs are judged: each result must be signed by the assigned prover, verify against the
// registered VK, and carry exactly the public inputs its batch item implies. A valid proof of
// something else is an invalid result (and the prover's signed result is the evidence to slash it
// on-chain). When every item is verified, the on-chain fulfilment is queued.
import type { JsMsg } from '@nats-io/jetstream';
import { hexlify } from 'ethers';
import { errorMessage, ProvingError } from '../../shared/errors.js';
import { parseResult } from '../../shared/protocol/messages.js';
import { recoverResultSigner, resultTerms } from '../../shared/protocol/result-signing.js';
import { verifySigned } from '../../shared/protocol/signed-message.js';
import { subjectProver } from '../../shared/protocol/subjects.js';
import { BadMessageError } from '../../shared/protocol/validate.js';
import { proofSystemOf } from '../../shared/proving/circuit-artifact.js';
import { verifyProof } from '../../shared/proving/circuit-prover.js';
import type { CoordinatorContext } from '../context.js';
import { AWARDED, moveAssignment } from '../lifecycle/assignment-transitions.js';
import { failAttempt } from '../lifecycle/attempts.js';
import { moveJob } from '../lifecycle/job-transitions.js';
import { enqueue } from '../lifecycle/outbox-entries.js';

/** How long a result our verifier failed on waits before it is tried again. */
const VERIFIER_RETRY_MS = 5000;

type ResultBody = ReturnType<typeof parseResult>['body'];
type Assignment = NonNullable<Awaited<ReturnType<typeof loadAssignment>>>;

/** The assignment a result is for, with its job's batch item and item count. */
export function loadAssignment(
  ctx: CoordinatorContext,
  body: Pick<ResultBody, 'jobId' | 'attempt' | 'itemIndex'>,
) {
  return ctx.prisma.assignment.findUnique({
    where: { jobId_attempt: { jobId: body.jobId, attempt: body.attempt } },
    include: {
      job: { include: { items: { where: { index: body.itemIndex } }, _count: { select: { items: true } } } },
    },
  });
}

/**
 * True when this prover's award of this attempt may be in a close that has not committed yet:
 * a round past its window and still open, or one awarded to it since the assignment was read.
 */
async function awardInFlight(ctx: CoordinatorContext, body: ResultBody, prover: string) {
  const round = await ctx.prisma.auction.findFirst({
    where: {
      jobId: body.jobId,
      attempt: body.attempt,
      OR: [
        { status: 'OPEN', announced: true, closesAt: { lte: new Date() } },
        { status: 'AWARDED', winner: prover },
      ],
    },
    select: { id: true },
  });
  return round !== null;
}

/** Parses and authenticates a result; a string saying why when it can never be valid. */
function authenticResult(ctx: CoordinatorContext, msg: JsMsg): ResultBody | string {
  let result: ReturnType<typeof parseResult>;
  try {
    result = parseResult(msg.data);
  } catch (err) {
    ctx.metrics.messagesRejected.inc({ kind: 'result' });
    return err instanceof BadMessageError ? `malformed: ${err.message}` : 'malformed';
  }
  if (!verifySigned(result) || result.signer.toLowerCase() !== result.body.prover.toLowerCase()) {
    ctx.metrics.messagesRejected.inc({ kind: 'result' });
    return 'bad signature';
  }
  if (subjectProver(msg.subject) !== result.signer.toLowerCase()) {
    ctx.metrics.messagesRejected.inc({ kind: 'result' });
    return "sent on another prover's subject";
  }
  // The EIP-712 Result signature too: without it an invalid proof would be no evidence on-chain.
  const { jobId, attempt, itemIndex, proof, publicInputs, resultSignature } = result.body;
  const terms = resultTerms(jobId, attempt, itemIndex, Buffer.from(proof, 'base64'), publicInputs);
  if (
    recoverResultSigner(ctx.domain, terms, resultSignature)?.toLowerCase() !== result.signer.toLowerCase()
  ) {
    ctx.metrics.messagesRejected.inc({ kind: 'result' });
    return 'bad result signature';
  }
  return { ...result.body, prover: result.body.prover.toLowerCase() };
}

/** Handles one result message and acknowledges it (term() for messages that can never be valid). */
export async function onResult(ctx: CoordinatorContext, msg: JsMsg): Promise<string> {
  const body = authenticResult(ctx, msg);
  if (typeof body === 'string') {
    msg.term();
    return body;
  }
  const assignment = await loadAssignment(ctx, body);
  if (!assignment && msg.info.deliveryCount < 20 && (await awardInFlight(ctx, body, body.prover))) {
    // The award goes out before the transaction that closes its round commits: a fast winner's
    // first result can arrive before its assignment row is visible. Look again shortly.
    msg.nak(250);
    return 'assignment not yet written; redelivering';
  }
  if (!assignment || assignment.prover !== body.prover || !AWARDED.includes(assignment.status)) {
    msg.term();
    return 'not the active assignment';
  }
  const existing = await ctx.prisma.proof.findUnique({
    where: { jobId_itemIndex: { jobId: body.jobId, itemIndex: body.itemIndex } },
  });
  if (existing && existing.attempt === body.attempt) {
    msg.ack();
    return 'duplicate';
  }
  const outcome = await judgeProof(ctx, assignment, body);
  if (outcome === 'verifier error') {
    msg.nak(VERIFIER_RETRY_MS);
    return outcome;
  }
  msg.ack();
  ctx.kick.outbox();
  return outcome;
}

/** What became of a result: judged valid or invalid, left for a retry because our verifier failed
 *  (never the prover's fault), or about an item the job does not have. */
type ProofOutcome = 'valid' | 'invalid' | 'verifier error' | 'no such batch item';

/** Verifies the proof of one batch item and records the verdict. */
async function judgeProof(
  ctx: CoordinatorContext,
  assignment: Assignment,
  body: ResultBody,
): Promise<ProofOutcome> {
  const item = assignment.job.items[0];
  const log = ctx.log.child({ jobId: body.jobId, prover: body.prover, item: body.itemIndex });
  if (!item) return 'no such batch item';
  const circuit = await ctx.circuits.prepared(assignment.job.circuitId);
  const proof = { proof: new Uint8Array(Buffer.from(body.proof, 'base64')), publicInputs: body.publicInputs };
  const started = performance.now();
  let valid: boolean;
  try {
    const backend = await ctx.verifiers.backendFor(circuit.artifact).catch((cause) => {
      // A coordinator without the circuit's backend is our failure, never the prover's.
      throw new ProvingError(`no verifier for ${proofSystemOf(circuit.artifact)} circuits`, {
        cause,
        retryable: true,
      });
    });
    valid = await verifyProof(backend, circuit, proof, item.publicInputs as string[]);
  } catch (err) {
    if (!(err instanceof ProvingError)) throw err;
    await verifierFailed(ctx, assignment, err);
    return 'verifier error';
  }
  ctx.metrics.verifySeconds.observe({ circuit: circuit.name }, (performance.now() - started) / 1000);
  if (!valid) {
    const reason = `invalid proof for batch item ${body.itemIndex} from ${body.prover}`;
    // The prover's signed result is the evidence the chain slashes on (it checks it itself).
    const evidence = {
      item: body.itemIndex,
      proof: hexlify(proof.proof),
      publicInputs: body.publicInputs,
      resultSignature: body.resultSignature,
    };
    const then = { kind: 'SLASH_INVALID' as const, evidence };
    await ctx.prisma.$transaction((tx) => failAttempt(tx, body.jobId, body.attempt, reason, then));
    ctx.metrics.failures.inc({ reason: 'invalid_proof' });
    log.warn('invalid proof: attempt failed');
    return 'invalid';
  }
  const complete = await recordProof(ctx, assignment, body, proof.proof);
  if (complete) {
    const seconds = (Date.now() - assignment.createdAt.getTime()) / 1000;
    ctx.metrics.provingSeconds.observe({ circuit: circuit.name }, seconds);
  }
  log.info({ ms: Math.round(performance.now() - started) }, 'proof verified');
  return 'valid';
}

/**
 * Our verifier could not judge a result: the result is retried later, and the prover, who
 * delivered, keeps its lease until the deadline and is never slashed for it (verifierBlocked).
 */
async function verifierFailed(ctx: CoordinatorContext, assignment: Assignment, err: ProvingError) {
  ctx.metrics.verifierErrors.inc();
  ctx.log.error(
    {
      jobId: assignment.jobId,
      prover: assignment.prover,
      err: err,
      cause: errorMessage(err.cause),
    },
    'ALERT: the verifier failed; the result will be retried and the prover is not blamed',
  );
  await ctx.prisma.assignment.update({
    where: { id: assignment.id },
    data: { verifierBlocked: true, leaseUntil: assignment.job.deadline },
  });
}

/** Stores a verified proof; when it completes the batch, the job moves to VERIFYING and its
 *  settlement is queued. Returns whether it completed the batch. The assignment's row is locked
 *  first: two results of one job recorded at once (two replicas share the results consumer) are
 *  counted one after the other, so the one completing the batch sees every proof. Unlocked, each
 *  counted the other's proof as missing and the job never moved to settlement. */
export async function recordProof(
  ctx: CoordinatorContext,
  assignment: Assignment,
  body: ResultBody,
  proof: Uint8Array,
): Promise<boolean> {
  const { jobId, attempt, itemIndex, prover, publicInputs } = body;
  return ctx.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM "Assignment" WHERE id = ${assignment.id} FOR UPDATE`;
    const row = { attempt, prover, proof: Buffer.from(proof), publicInputs };
    await tx.proof.upsert({
      where: { jobId_itemIndex: { jobId, itemIndex } },
      update: row,
      create: { jobId, itemIndex, ...row },
    });
    const proofs = await tx.proof.count({ where: { jobId, attempt } });
    await tx.assignment.update({ where: { id: assignment.id }, data: { progress: proofs } });
    if (proofs !== assignment.job._count.items) return false;
    if (!(await moveJob(tx, jobId, ['ASSIGNED', 'PROVING'], 'VERIFYING', 'all batch items verified')))
      return false;
    await moveAssignment(tx, jobId, attempt, 'COMPLETED');
    await enqueue(tx, { kind: 'FULFIL', jobId, attempt });
    return true;
  });
}
