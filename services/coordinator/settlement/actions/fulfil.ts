// FULFIL: relays the verified proofs to Market.fulfil, which verifies every item on-chain against
// the job's verifier and committed public inputs and only then pays (shared/chain/fulfil-items).
// The prover's own fulfilment is the default path (it pays the gas of its own payment): the relay
// looks at the chain until `relayAfterMs` has passed since the proofs were verified, records the
// prover's fulfilment as soon as it is mined, and spends the coordinator's gas only if none came.
import { fulfilItems } from '../../../shared/chain/fulfil-items.js';
import { commitPublicInputs } from '../../../shared/chain/public-inputs-commitment.js';
import { moveJob } from '../../lifecycle/job-transitions.js';
import {
  enqueue,
  isPending,
  markDone,
  markFailed,
  putOff,
  retryLater,
} from '../../lifecycle/outbox-entries.js';
import type { ActionHandler, ActionRun } from './action.js';
import { followChain, recordSettled } from './follow-chain.js';

export const fulfil: ActionHandler<'FULFIL'> = async (run, entry) => {
  const { ctx, tx, row, onChain, log } = run;
  const { jobId, attempt } = entry;
  if (onChain.status === 'Settled') {
    await recordSettled(run, jobId, onChain, null);
    await markDone(tx, row.id, null, 'already paid on-chain');
    return;
  }
  if (onChain.status === 'Open' && (await isPending(tx, jobId, 'ASSIGN'))) {
    // The proofs beat the assignment to the chain (it is being retried): fulfil after it.
    await retryLater(tx, row.id, 'waiting for the on-chain assignment');
    return;
  }
  if (onChain.status !== 'Assigned' || onChain.attempt !== attempt) {
    await fulfilRefused(run, entry, `on-chain job is ${onChain.status} at attempt ${onChain.attempt}`);
    return;
  }
  if (await leftToProver(run)) return;
  const proofs = await tx.proof.findMany({ where: { jobId, attempt }, orderBy: { itemIndex: 'asc' } });
  const items = await tx.batchItem.findMany({ where: { jobId }, orderBy: { index: 'asc' } });
  const commitment = commitPublicInputs(items.map((i) => i.publicInputs as string[]));
  const toFulfil = proofs.map((p) => ({
    index: p.itemIndex,
    proof: new Uint8Array(p.proof),
    publicInputs: p.publicInputs as string[],
  }));
  const { gas, txHashes } = await fulfilItems(ctx.chain, jobId, toFulfil, commitment);
  ctx.metrics.chainTx.inc({ kind: 'fulfil' }, txHashes.length);
  const txHash = txHashes.at(-1) ?? null;
  const after = await ctx.chain.job(jobId);
  if (after.status !== 'Settled') {
    await retryLater(tx, row.id, `on-chain job is ${after.status} after fulfilment`);
    return;
  }
  await recordSettled(run, jobId, after, txHash);
  await markDone(tx, row.id, txHash);
  log.info(
    { txHash, prover: after.prover, price: after.price.toString(), gas: gas.toString() },
    'fulfilled on-chain and paid',
  );
};

/** How often the chain is read while the fulfilment is left to the prover. */
const PROVER_WATCH_MS = 1_000;
/** Chain seconds before the attempt deadline by which the relay is sent at the latest. */
const RELAY_BEFORE_DEADLINE_SECONDS = 30;

/** True (and the row put off, uncounted) while the job's fulfilment is still left to its prover:
 *  until `relayAfterMs` after the proofs were verified, and no later than 30 s of chain time
 *  before the attempt deadline. */
async function leftToProver(run: ActionRun): Promise<boolean> {
  const { ctx, row, onChain } = run;
  const { chain, wall } = ctx.clock;
  const relayAt = Math.min(
    row.createdAt.getTime() + ctx.config.relayAfterMs,
    chain.wallMsAt(onChain.attemptDeadline - RELAY_BEFORE_DEADLINE_SECONDS),
  );
  const now = wall.nowMs();
  if (now >= relayAt) return false;
  const next = new Date(Math.min(relayAt, now + PROVER_WATCH_MS));
  await putOff(run.tx, row.id, 'left to the prover to fulfil (it pays its own gas)', next);
  return true;
}

/**
 * The chain would not take the proofs (the attempt deadline passed, the job ended): the prover is
 * not blamed, and may still fulfil on its own. The job follows the chain once the prover's
 * attempt deadline has passed on it.
 */
export async function fulfilRefused(run: ActionRun, entry: { jobId: string; attempt: number }, why: string) {
  const { ctx, tx, row, log } = run;
  log.error({ why }, 'ALERT: could not fulfil on-chain; the prover is not blamed');
  await markFailed(tx, row.id, why);
  const onChain = await ctx.chain.job(entry.jobId);
  if (onChain.status !== 'Assigned') {
    await moveJob(tx, entry.jobId, ['VERIFYING'], 'FAILED_ATTEMPT', `settlement failed: ${why}`);
    await followChain(run, entry.jobId);
    return;
  }
  await moveJob(tx, entry.jobId, ['VERIFYING'], 'FAILED_ATTEMPT', `settlement failed: ${why}`);
  // SLASH_LATE waits for the chain's clock to pass the attempt deadline itself.
  await enqueue(tx, { kind: 'SLASH_LATE', ...entry, prover: onChain.prover.toLowerCase() });
}
