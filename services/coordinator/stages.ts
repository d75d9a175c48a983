// The stages of a job's life, as the README's table lists them: each stage's timed loops and NATS
// handlers, mounted by coordinator.ts. A stage only imports lifecycle/, context, config, metrics
// and shared/; where one stage hands work to another (a closed auction's winner is awarded by the
// assignment stage), the hand-off is wired here.
import type { Msg } from '@nats-io/transport-node';
import { BID_WILDCARD, HEARTBEAT_WILDCARD, HELLO_WILDCARD } from '../shared/protocol/subjects.js';
import { awardWinner } from './assignment/award.js';
import { leaseStage, onHeartbeat } from './assignment/leases.js';
import { announceDue } from './auction/announce.js';
import { onBid } from './auction/bid-handler.js';
import { challengeWatch } from './auction/challenges.js';
import { closeDue } from './auction/close.js';
import type { CoordinatorContext } from './context.js';
import { onHello } from './provers/hello.js';
import { runOutbox } from './settlement/outbox.js';
import { consumeResults, type ResultConsumer } from './verification/result-consumer.js';

/** How often the timed stages run when nothing kicks them sooner. */
const TICK_MS = 100;
/** Leases last seconds: checking them twice a second is plenty. */
const LEASE_TICK_MS = 500;
/** Challenges leave an hour (by default) to answer: reading them every 2 s is plenty. */
const CHALLENGE_TICK_MS = 2000;

export type StageName = 'intake' | 'auction' | 'assignment' | 'provers' | 'verification' | 'settlement';

export interface TimedStage {
  stage: StageName;
  /** The loop's name in logs; `kick` names the context hook that wakes it early. */
  loop: 'announce' | 'close' | 'challenges' | 'leases' | 'outbox';
  run: (ctx: CoordinatorContext) => Promise<unknown>;
  intervalMs: number;
}

export interface MessageStage {
  stage: StageName;
  subject: string;
  handle: (ctx: CoordinatorContext, msg: Msg) => Promise<unknown>;
}

/** The timed loops, one per stage step, each in its own loop so none waits behind another. */
export function timedStages(): TimedStage[] {
  return [
    { stage: 'auction', loop: 'announce', run: announceDue, intervalMs: TICK_MS },
    { stage: 'auction', loop: 'close', run: (ctx) => closeDue(ctx, awardWinner), intervalMs: TICK_MS },
    { stage: 'auction', loop: 'challenges', run: challengeWatch(), intervalMs: CHALLENGE_TICK_MS },
    { stage: 'assignment', loop: 'leases', run: leaseStage(), intervalMs: LEASE_TICK_MS },
    { stage: 'settlement', loop: 'outbox', run: runOutbox, intervalMs: TICK_MS },
  ];
}

/** Core NATS subjects the coordinator answers. (Intake is HTTP: routes/.) */
export const messageStages: MessageStage[] = [
  { stage: 'auction', subject: BID_WILDCARD, handle: onBid },
  { stage: 'provers', subject: HELLO_WILDCARD, handle: onHello },
  {
    stage: 'assignment',
    subject: HEARTBEAT_WILDCARD,
    handle: (ctx, msg) => onHeartbeat(ctx, msg.data, msg.subject),
  },
];

/** The JetStream consumers: results go to verification. */
export function startConsumers(ctx: CoordinatorContext): ResultConsumer[] {
  return [consumeResults(ctx)];
}
