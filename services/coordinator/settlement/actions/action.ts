// What every on-chain action of the outbox gets: the open transaction holding its row, the job as
// the chain sees it now, and a logger with the job and action ids.
import type { Logger } from 'pino';
import type { OnChainJob } from '../../../shared/chain/gavel-contracts.js';
import type { CoordinatorContext, Tx } from '../../context.js';
import { type OutboxEntry, type OutboxRow, putOff } from '../../lifecycle/outbox-entries.js';

export interface ActionRun {
  ctx: CoordinatorContext;
  tx: Tx;
  row: OutboxRow;
  onChain: OnChainJob;
  log: Logger;
}

/** Runs one kind of entry: reads the chain first, so an action already done is recorded, not resent. */
export type ActionHandler<K extends OutboxEntry['kind']> = (
  run: ActionRun,
  entry: Extract<OutboxEntry, { kind: K }>,
) => Promise<void>;

/** The longest an action waiting for chain time sleeps before it looks again (chain time can jump
 *  ahead of the estimate: a test moving time, a chain catching up). */
const CHAIN_WAIT_MAX_MS = 5000;

/**
 * True, with the row put off, while no mined block is past `t`: the chain would refuse the action
 * as too early. Waiting is not a failed attempt: nothing is counted against the row.
 */
export async function waitForChainTime(run: ActionRun, t: number, what: string): Promise<boolean> {
  const { chain, wall } = run.ctx.clock;
  if (chain.hasPassed(t)) return false;
  const waitMs = Math.min(Math.max(chain.wallMsAt(t + 1) - wall.nowMs(), 250), CHAIN_WAIT_MAX_MS);
  await putOff(run.tx, run.row.id, `${what} has not passed on-chain yet`, new Date(wall.nowMs() + waitMs));
  return true;
}
