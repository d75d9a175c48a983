// Connecting to NATS and declaring the JetStream stream and KV bucket Gavel uses.
import { AckPolicy, DiscardPolicy, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { GavelError } from '../errors.js';
import { PRESENCE_TTL_MS } from '../protocol/job-states.js';
import {
  AWARD_WILDCARD,
  awardConsumer,
  awardSubject,
  PRESENCE_BUCKET,
  RESULT_WILDCARD,
  RESULTS_CONSUMER,
  WORK_STREAM,
} from '../protocol/subjects.js';
import { retry, stillBefore } from '../retry.js';
import { credsAuth } from './auth.js';

export interface ConnectOptions {
  url: string;
  name: string;
  /** A creds file's text (user JWT + seed), or where to read the current one at each (re)connect
   *  (credentials that expire and are renewed); none: an open server (tests on plain NATS only). */
  creds?: string | (() => string) | undefined;
  /** CA certificate file of a server that requires TLS (none: the system's CAs). */
  caFile?: string | undefined;
  /** Prefix of this connection's reply subjects (a prover's own, so only it can read them). */
  inboxPrefix?: string | undefined;
  onReconnect?: () => void;
}

/** The servers of a NATS URL setting: one URL, or a cluster's nodes separated by commas (the
 *  client connects to any of them and fails over to the others). */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** Connects with unlimited reconnects (a restarted server is rejoined, not given up on). */
export async function connectNats(opts: ConnectOptions): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: natsServers(opts.url),
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 5000,
      ...(opts.creds ? { authenticator: credsAuth(opts.creds) } : {}),
      ...(opts.inboxPrefix ? { inboxPrefix: opts.inboxPrefix } : {}),
      ...(opts.caFile ? { tls: { caFile: opts.caFile } } : {}),
    });
  } catch (cause) {
    throw new GavelError('NATS_UNAVAILABLE', `cannot connect to NATS at ${opts.url}`, { cause });
  }
  if (opts.onReconnect) {
    const onReconnect = opts.onReconnect;
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'reconnect') onReconnect();
    })();
  }
  return nc;
}

const NS = 1_000_000;

/**
 * Limits of the work stream. It is a work queue (an acknowledged award or result is removed), so
 * it fills only while its consumers fall behind; then it refuses new messages (discard new) rather
 * than dropping unacknowledged awards or results: publishers get an error and retry (the
 * coordinator's close and a prover's result publish both do), nothing is lost silently.
 */
export const WORK_STREAM_LIMITS = {
  max_bytes: 1024 * 1024 * 1024,
  max_age: 7 * 24 * 3600 * 1000 * NS,
  max_msg_size: 1024 * 1024,
  discard: DiscardPolicy.New,
};

/**
 * How long each pull of a JetStream consumer waits. After a reconnect (a NATS node died) the
 * client re-checks its consumer with backoff up to this long, and a pull lost with the old node is
 * noticed within it: with nats.js's default (30 s) an award could sit in the stream for half a
 * minute of the winner's attempt deadline.
 */
export const PULL_EXPIRES_MS = 5_000;

/** A result a replica took but did not acknowledge goes to another replica after this long;
 *  handling one (a proof verified, a row written) takes well under a second. */
export const RESULTS_ACK_WAIT_MS = 20_000;

/** How long a coordinator waits for JetStream: a cluster that just started elects its meta
 *  leader first (about a second), and until then every JetStream request times out. */
const JETSTREAM_READY_MS = 30_000;

/** The JetStream manager, once JetStream answers (a new cluster may still be electing). */
export async function readyJetstream(nc: NatsConnection) {
  const until = Date.now() + JETSTREAM_READY_MS;
  try {
    return await retry(() => jetstreamManager(nc, { timeout: 2000 }), {
      shouldRetry: () => stillBefore(until),
      delayMs: 250,
    });
  } catch (cause) {
    throw new GavelError('NATS_UNAVAILABLE', 'JetStream did not answer within 30 s', { cause });
  }
}

/** Runs `declare` (a stream, consumer or bucket with copies on several nodes) until the cluster
 *  can place it: a new cluster's meta leader answers before it knows every node, and until then it
 *  refuses replicated assets with "no suitable peers for placement" (seen in CI: a coordinator
 *  start failed on it). Up to 30 s. */
export function placed<T>(declare: () => Promise<T>): Promise<T> {
  const until = Date.now() + JETSTREAM_READY_MS;
  return retry(declare, {
    shouldRetry: (err) => /no suitable peers for placement/i.test(String(err)) && stillBefore(until),
    delayMs: 500,
  });
}

/** Declares the work stream (awards + results) and the coordinators' shared results consumer;
 *  `maxBytes` overrides the stream's size limit; `replicas` is how many cluster nodes keep a copy
 *  of it (1 on a single server; 3 on a 3-node cluster survives the loss of one node). */
export async function ensureWorkStream(
  nc: NatsConnection,
  maxBytes = WORK_STREAM_LIMITS.max_bytes,
  replicas = 1,
): Promise<void> {
  const jsm = await readyJetstream(nc);
  const limits = { ...WORK_STREAM_LIMITS, max_bytes: maxBytes, num_replicas: replicas };
  const config = {
    name: WORK_STREAM,
    subjects: [AWARD_WILDCARD, RESULT_WILDCARD],
    retention: RetentionPolicy.Workqueue,
    duplicate_window: 10 * 60 * 1000 * NS,
    ...limits,
  };
  let current: Awaited<ReturnType<typeof jsm.streams.info>> | undefined;
  try {
    current = await jsm.streams.info(WORK_STREAM);
  } catch {
    await placed(() => jsm.streams.add(config));
  }
  if (current && current.config.retention !== RetentionPolicy.Workqueue) {
    throw new GavelError(
      'OLD_WORK_STREAM',
      `the NATS stream ${WORK_STREAM} was made by an older Gavel with ${current.config.retention} retention: ` +
        'let its awards and results drain, delete it (nats stream rm GAVEL_WORK) and start the coordinator again',
    );
  }
  // A stream declared by an older version (other subjects or limits) is brought up to date.
  const { subjects, max_bytes, max_age, max_msg_size, discard, num_replicas } = current?.config ?? config;
  const declared = { subjects, max_bytes, max_age, max_msg_size, discard, num_replicas };
  const wanted = { subjects: config.subjects, ...limits };
  if (current && JSON.stringify(declared) !== JSON.stringify(wanted)) {
    await placed(() => jsm.streams.update(WORK_STREAM, { ...current.config, ...wanted }));
  }
  const results = {
    durable_name: RESULTS_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    filter_subject: RESULT_WILDCARD,
    // Results held by a replica that died are redelivered to another after this long.
    ack_wait: RESULTS_ACK_WAIT_MS * NS,
    max_deliver: -1,
  };
  await placed(() =>
    jsm.consumers
      .add(WORK_STREAM, results)
      .catch(() => jsm.consumers.update(WORK_STREAM, RESULTS_CONSUMER, results)),
  );
}

/** Opens (creating if needed) the presence bucket, whose entries expire after PRESENCE_TTL_MS,
 *  kept on `replicas` nodes. */
export async function presenceBucket(nc: NatsConnection, replicas = 1) {
  return placed(() => new Kvm(nc).create(PRESENCE_BUCKET, { ttl: PRESENCE_TTL_MS, history: 1, replicas }));
}

/** Longest a listing of a KV bucket's keys may take. */
export const KV_LIST_TIMEOUT_MS = 5_000;

/** The keys of `kv`, listed within `timeoutMs`, else NATS_UNAVAILABLE. A listing is a watch of the
 *  bucket's stream: on a cluster whose stream has lost its leader (a loaded machine, a node down)
 *  it can wait forever, and whatever reads live state (the coordinator's /metrics, its prover
 *  list) would wait with it (seen in CI: a replica's /metrics unanswered for 300 s). */
export async function kvKeys(kv: KV, timeoutMs = KV_LIST_TIMEOUT_MS): Promise<Set<string>> {
  let listing: Awaited<ReturnType<KV['keys']>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new GavelError('NATS_UNAVAILABLE', `listing a NATS bucket took over ${timeoutMs} ms`);
      listing?.stop(err);
      reject(err);
    }, timeoutMs);
  });
  const keys = (async () => {
    listing = await kv.keys();
    const out = new Set<string>();
    for await (const key of listing) out.add(key);
    return out;
  })();
  keys.catch(() => undefined);
  try {
    return await Promise.race([keys, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens the presence bucket the coordinator created (a prover may not create streams). */
export async function openPresenceBucket(nc: NatsConnection) {
  return new Kvm(nc).open(PRESENCE_BUCKET);
}

/** The durable consumer of a prover's awards (made by the coordinator: provers cannot). On a
 *  cluster each new consumer is a replicated group placed by the meta leader: under a burst of new
 *  provers that can take seconds, so the request is given 20 s. */
export async function ensureAwardConsumer(nc: NatsConnection, prover: string): Promise<void> {
  const jsm = await jetstreamManager(nc, { timeout: 20_000 });
  const consumer = {
    durable_name: awardConsumer(prover),
    filter_subject: awardSubject(prover),
    ack_policy: AckPolicy.Explicit,
    ack_wait: 10 * 1000 * NS,
    max_deliver: -1,
  };
  await placed(() => jsm.consumers.add(WORK_STREAM, consumer));
}
