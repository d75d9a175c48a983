// NATS subjects and JetStream names of the Gavel protocol, in one place. Every subject a prover
// publishes on carries its own address, so the server's permissions can hold each prover to its
// own subjects (proverPermissions in services/shared/nats/auth.ts), and the coordinator checks that the signed
// message inside names the same prover as the subject.

/** Core NATS: job announcements (and re-announcements) broadcast to all provers. */
export const ANNOUNCE_SUBJECT = 'gavel.jobs.announce';
/** Core NATS: a circuit just registered, broadcast to all provers so they prepare it before its
 *  first auction (only coordinators may publish here). */
export const CIRCUITS_SUBJECT = 'gavel.circuits.registered';
/** Core NATS request/reply: a prover's signed bid; the reply accepts or rejects it with a reason. */
export const bidSubject = (prover: string) => `gavel.bids.${prover.toLowerCase()}`;
export const BID_WILDCARD = 'gavel.bids.*';
/** Core NATS request/reply: a prover's signed hello (capabilities, measured speed). */
export const helloSubject = (prover: string) => `gavel.hello.${prover.toLowerCase()}`;
export const HELLO_WILDCARD = 'gavel.hello.*';
/** Core NATS: signed heartbeats of a prover working on an award (extends its lease). */
export const heartbeatSubject = (prover: string, jobId: string) =>
  `gavel.heartbeat.${prover.toLowerCase()}.${jobId}`;
export const HEARTBEAT_WILDCARD = 'gavel.heartbeat.*.*';

/** JetStream stream holding awards and results (durable, acknowledged). */
export const WORK_STREAM = 'GAVEL_WORK';
export const awardSubject = (prover: string) => `gavel.award.${prover.toLowerCase()}`;
export const AWARD_WILDCARD = 'gavel.award.*';
export const resultSubject = (prover: string, jobId: string) =>
  `gavel.result.${prover.toLowerCase()}.${jobId}`;
export const RESULT_WILDCARD = 'gavel.result.*.*';
/** The queue group of the coordinator replicas: each bid, hello and heartbeat is handled (and
 *  answered) by exactly one of them. */
export const COORDINATOR_QUEUE = 'gavel-coordinators';

/** Durable consumer shared by all coordinator replicas (each result handled once). */
export const RESULTS_CONSUMER = 'coordinator-results';
export const awardConsumer = (prover: string) => `award-${prover.toLowerCase()}`;

/** KV bucket of live provers; entries expire unless refreshed. */
export const PRESENCE_BUCKET = 'gavel-provers';
/** KV bucket where each coordinator replica keeps an entry while it runs (key: its address). */
export const REPLICA_BUCKET = 'gavel-coordinators';

/** The prover address a prover's subject names (its third token), lowercase. */
export function subjectProver(subject: string): string {
  return (subject.split('.')[2] ?? '').toLowerCase();
}
