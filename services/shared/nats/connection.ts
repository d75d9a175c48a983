// Connecting to NATS and declaring the JetStream stream and KV bucket Gavel uses.
import { AckPolicy, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { GavelError } from '../errors.js';
import { PRESENCE_TTL_MS } from '../protocol/job-states.js';
import { PRESENCE_BUCKET, RESULT_WILDCARD, RESULTS_CONSUMER, WORK_STREAM } from '../protocol/subjects.js';

export interface ConnectOptions {
  url: string;
  name: string;
  onReconnect?: () => void;
}

/** Connects with unlimited reconnects (a restarted server is rejoined, not given up on). */
export async function connectNats(opts: ConnectOptions): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: opts.url,
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 5000,
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

/** Declares the work stream (awards + results) and the coordinators' shared results consumer. */
export async function ensureWorkStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: WORK_STREAM,
    subjects: ['gavel.award.*', RESULT_WILDCARD],
    retention: RetentionPolicy.Limits,
    max_msg_size: 1024 * 1024,
    duplicate_window: 10 * 60 * 1_000_000_000,
  };
  try {
    await jsm.streams.info(WORK_STREAM);
  } catch {
    await jsm.streams.add(config);
  }
  await jsm.consumers.add(WORK_STREAM, {
    durable_name: RESULTS_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    filter_subject: RESULT_WILDCARD,
    ack_wait: 60 * 1_000_000_000,
    max_deliver: -1,
  });
}

/** Opens (creating if needed) the presence bucket, whose entries expire after PRESENCE_TTL_MS. */
export async function presenceBucket(nc: NatsConnection) {
  return new Kvm(nc).create(PRESENCE_BUCKET, { ttl: PRESENCE_TTL_MS, history: 1 });
}
