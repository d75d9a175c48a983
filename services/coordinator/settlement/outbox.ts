// The outbox: every on-chain action is a row written in the same transaction as the state change
// that needs it, executed here exactly once across restarts. Each handler first reads the chain,
// so an action that already happened (before a crash, or by someone else) is recorded, not resent.
import { keccak256 } from 'ethers';
import { ContractRevertError } from '../../shared/chain/contract-errors.js';
import { errorMessage } from '../../shared/errors.js';
import type { CoordinatorContext, Tx } from '../context.js';
import { expireJob, reauction } from '../lifecycle/attempts.js';
import { moveJob } from '../lifecycle/job-transitions.js';

type Action = Awaited<ReturnType<CoordinatorContext['prisma']['outboxAction']['findFirstOrThrow']>>;
type Payload = { attempt?: number; prover?: string; price?: string; slash?: boolean; resultHash?: string };

/** Claims and runs due outbox actions one by one (one signer: one transaction at a time);
 *  assignments first, since a winner waits for its award until its collateral is locked. */
export async function runOutbox(ctx: CoordinatorContext, max = 20): Promise<number> {
  let done = 0;
  while (done < max) {
    const ran = await ctx.prisma.$transaction(
      async (tx) => {
        const [row] = await tx.$queryRawUnsafe<{ id: number }[]>(
          `SELECT id FROM "OutboxAction" WHERE status = 'PENDING' AND "notBefore" <= $1
           ORDER BY (kind = 'ASSIGN') DESC, id FOR UPDATE SKIP LOCKED LIMIT 1`,
          new Date(),
        );
        if (!row) return false;
        const action = await tx.outboxAction.findUniqueOrThrow({ where: { id: row.id } });
        await execute(ctx, tx, action);
        return true;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
    if (!ran) break;
    done++;
  }
  return done;
}

async function execute(ctx: CoordinatorContext, tx: Tx, action: Action): Promise<void> {
  const p = action.payload as Payload;
  const log = ctx.log.child({ jobId: action.jobId, action: action.kind, outboxId: action.id });
  const finish = (txHash: string | null, note?: string) =>
    tx.outboxAction.update({
      where: { id: action.id },
      data: {
        status: 'DONE',
        doneAt: new Date(),
        attempts: { increment: 1 },
        txHash,
        lastError: note ?? null,
      },
    });
  const fail = (error: string) =>
    tx.outboxAction.update({
      where: { id: action.id },
      data: { status: 'FAILED', attempts: { increment: 1 }, lastError: error },
    });
  const retryLater = (error: string) =>
    tx.outboxAction.update({
      where: { id: action.id },
      data: { attempts: { increment: 1 }, lastError: error, notBefore: new Date(Date.now() + 1000) },
    });

  let onChain: Awaited<ReturnType<typeof ctx.chain.job>>;
  try {
    onChain = await ctx.chain.job(action.jobId);
  } catch (err) {
    await retryLater(errorMessage(err));
    return;
  }

  try {
    switch (action.kind) {
      case 'ASSIGN': {
        // The winner was awarded at close and may be proving already; this locks its collateral.
        const prover = p.prover as string;
        const attempt = p.attempt as number;
        // Not locked: a heartbeat or result must not wait for this transaction. If the attempt
        // fails meanwhile, its REOPEN (queued after this) finds the collateral locked and frees it.
        const assignment = await tx.assignment.findUnique({
          where: { jobId_attempt: { jobId: action.jobId, attempt } },
        });
        if (!assignment || assignment.status === 'FAILED') {
          // The attempt failed before its collateral was locked (nothing to slash): no transaction.
          await finish(null, 'attempt failed before the assignment reached the chain');
          return;
        }
        let txHash: string | null = null;
        if (onChain.status === 'Open') {
          txHash = (await ctx.chain.assign(action.jobId, prover, BigInt(p.price as string))).hash;
          ctx.metrics.chainTx.inc({ kind: 'assign' });
        } else if (!(onChain.status === 'Assigned' && onChain.prover.toLowerCase() === prover)) {
          await assignRefused(ctx, tx, action.jobId, attempt, prover, `on-chain job is ${onChain.status}`);
          await fail(`on-chain job is ${onChain.status}`);
          return;
        }
        await tx.assignment.updateMany({
          where: { jobId: action.jobId, attempt, status: 'PENDING_CHAIN' },
          data: { status: 'ACTIVE' },
        });
        await tx.prover.updateMany({ where: { address: prover }, data: { jobsWon: { increment: 1 } } });
        await finish(txHash);
        log.info({ prover, txHash }, 'collateral locked on-chain');
        return;
      }
      case 'SETTLE': {
        let txHash: string | null = null;
        if (onChain.status === 'Open' && (await assignPending(tx, action.jobId))) {
          // The proofs beat the assignment to the chain (it is being retried): settle after it.
          await retryLater('waiting for the on-chain assignment');
          return;
        }
        if (onChain.status === 'Assigned') {
          txHash = (await ctx.chain.settle(action.jobId, p.resultHash as string)).hash;
          ctx.metrics.chainTx.inc({ kind: 'settle' });
        } else if (onChain.status !== 'Settled') {
          await moveJob(
            tx,
            action.jobId,
            ['VERIFYING'],
            'EXPIRED',
            `cannot settle: on-chain job is ${onChain.status}`,
          );
          await fail(`on-chain job is ${onChain.status}`);
          return;
        }
        const job = await tx.job.findUniqueOrThrow({ where: { id: action.jobId } });
        await moveJob(tx, action.jobId, ['VERIFYING'], 'SETTLED', 'proofs verified and paid');
        await tx.assignment.updateMany({
          where: { jobId: action.jobId, attempt: job.attempt },
          data: { status: 'COMPLETED' },
        });
        await tx.settlement.upsert({
          where: { jobId: action.jobId },
          update: {},
          create: {
            jobId: action.jobId,
            prover: job.winner ?? '',
            priceWei: job.clearingPriceWei ?? '0',
            txHash: txHash ?? 'settled-before-restart',
          },
        });
        await finish(txHash);
        ctx.metrics.jobsSettled.inc();
        log.info({ txHash, prover: job.winner, price: job.clearingPriceWei }, 'settled');
        return;
      }
      case 'REOPEN': {
        let txHash: string | null = null;
        let note: string | undefined;
        if (onChain.status === 'Assigned' && onChain.prover.toLowerCase() === p.prover) {
          txHash = (await ctx.chain.reopen(action.jobId, p.slash === true)).hash;
          ctx.metrics.chainTx.inc({ kind: 'reopen' });
          if (p.slash) ctx.metrics.slashes.inc();
        } else if (onChain.status !== 'Open') {
          // Someone slashed it after its deadline (or it ended otherwise): nothing left to reopen.
          note = `on-chain job is ${onChain.status}; not reopened`;
          await moveJob(tx, action.jobId, ['FAILED_ATTEMPT'], 'EXPIRED', note);
          await finish(null, note);
          log.info({ status: onChain.status }, 'job already ended on-chain');
          return;
        }
        const next = await reauction(tx, action.jobId, ctx.config);
        await finish(txHash, note);
        log.info({ txHash, next, slashed: p.slash }, 'reopened after a failed attempt');
        return;
      }
      case 'EXPIRE': {
        let txHash: string | null = null;
        if (onChain.status === 'Open') {
          txHash = (await ctx.chain.expire(action.jobId)).hash;
          ctx.metrics.chainTx.inc({ kind: 'expire' });
        }
        await finish(txHash, onChain.status === 'Open' ? undefined : `on-chain job is ${onChain.status}`);
        log.info({ txHash }, 'expired and refunded');
        return;
      }
      default: {
        const never: never = action.kind;
        throw new Error(`unknown outbox action ${String(never)}`);
      }
    }
  } catch (err) {
    if (err instanceof ContractRevertError) {
      // A revert is final for this action: record it and let the job's state machine react.
      log.warn({ err: err.message }, 'on-chain action reverted');
      if (action.kind === 'ASSIGN') {
        await assignRefused(ctx, tx, action.jobId, p.attempt as number, p.prover as string, err.message);
      }
      await fail(err.message);
      return;
    }
    log.warn({ err: errorMessage(err) }, 'on-chain action failed; will retry');
    await retryLater(errorMessage(err));
  }
}

/** True while an on-chain assignment of `jobId` is still queued. */
async function assignPending(tx: Tx, jobId: string): Promise<boolean> {
  const n = await tx.outboxAction.count({ where: { jobId, kind: 'ASSIGN', status: 'PENDING' } });
  return n > 0;
}

/** The chain refused an assignment (stake withdrawn, escrow cancelled…): no slash, next bidder.
 *  The winner may already have proved (awards are optimistic): its proofs and settlement go. */
async function assignRefused(
  ctx: CoordinatorContext,
  tx: Tx,
  jobId: string,
  attempt: number,
  prover: string,
  why: string,
) {
  const onChain = await ctx.chain.job(jobId);
  await tx.assignment.update({ where: { jobId_attempt: { jobId, attempt } }, data: { status: 'FAILED' } });
  await tx.proof.deleteMany({ where: { jobId, attempt } });
  await tx.outboxAction.updateMany({
    where: { jobId, kind: 'SETTLE', status: 'PENDING' },
    data: { status: 'FAILED', lastError: `assignment refused on-chain: ${why}` },
  });
  const active = ['ASSIGNED', 'PROVING', 'VERIFYING'] as const;
  if (onChain.status === 'Cancelled') {
    await moveJob(tx, jobId, active, 'CANCELLED', 'requester cancelled the escrow');
    return;
  }
  const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
  const moved = await moveJob(tx, jobId, active, 'FAILED_ATTEMPT', `assignment refused on-chain: ${why}`, {
    excludedProvers: { set: [...new Set([...job.excludedProvers, prover])] },
  });
  if (moved) {
    if (onChain.status === 'Open') {
      await reauction(tx, jobId, ctx.config);
      ctx.kick.announce();
    } else await expireJob(tx, jobId, ['FAILED_ATTEMPT'], `on-chain job is ${onChain.status}`);
  }
}

/** The result hash recorded on-chain: keccak256 over the concatenated proof hashes, in item order. */
export function resultHash(proofs: Uint8Array[]): string {
  return keccak256(Buffer.concat(proofs.map((p) => Buffer.from(keccak256(p).slice(2), 'hex'))));
}
