// NATS subjects and JetStream names of the Gavel protocol, in one place.

/** Core NATS: job announcements (and re-announcements) broadcast to all provers. */
export const ANNOUNCE_SUBJECT = 'gavel.jobs.announce';
/** Core NATS request/reply: a signed bid; the reply accepts or rejects it with a reason. */
export const BID_SUBJECT = 'gavel.bids';
/** Core NATS request/reply: a prover's signed hello (capabilities, measured speed). */
export const HELLO_SUBJECT = 'gavel.provers.hello';
/** Core NATS: signed heartbeats of a prover working on an award (extends its lease). */
export const heartbeatSubject = (jobId: string) => `gavel.heartbeat.${jobId}`;
export const HEARTBEAT_WILDCARD = 'gavel.heartbeat.*';

/** JetStream stream holding awards and results (durable, acknowledged). */
export const WORK_STREAM = 'GAVEL_WORK';
export const awardSubject = (prover: string) => `gavel.award.${prover.toLowerCase()}`;
export const resultSubject = (jobId: string) => `gavel.result.${jobId}`;
export const RESULT_WILDCARD = 'gavel.result.*';
/** Durable consumer shared by all coordinator replicas (each result handled once). */
export const RESULTS_CONSUMER = 'coordinator-results';
export const awardConsumer = (prover: string) => `award-${prover.toLowerCase()}`;

/** KV bucket of live provers; entries expire unless refreshed. */
export const PRESENCE_BUCKET = 'gavel-provers';
