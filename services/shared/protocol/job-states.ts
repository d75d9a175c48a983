// Job states every service and client agrees on (the coordinator's state machine is in
// services/coordinator/lifecycle/job-transitions.ts).

/** States a job never leaves: a requester, a test or the CLI can stop waiting. */
export const TERMINAL_JOB_STATES = ['SETTLED', 'EXPIRED', 'CANCELLED'] as const;

export type TerminalJobState = (typeof TERMINAL_JOB_STATES)[number];

/** True when a job in `status` will not change again. */
export function isTerminalJobState(status: string): status is TerminalJobState {
  return (TERMINAL_JOB_STATES as readonly string[]).includes(status);
}

/** How long a prover's presence entry lives without a refresh (provers refresh at a third of it). */
export const PRESENCE_TTL_MS = 15_000;
