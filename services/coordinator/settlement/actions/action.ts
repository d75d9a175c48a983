// What every on-chain action of the outbox gets: the open transaction holding its row, the job as
// the chain sees it now, and a logger with the job and action ids.
import type { Logger } from 'pino';
import type { OnChainJob } from '../../../shared/chain/gavel-contracts.js';
import type { CoordinatorContext, Tx } from '../../context.js';
import type { OutboxEntry, OutboxRow } from '../../lifecycle/outbox-entries.js';

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
