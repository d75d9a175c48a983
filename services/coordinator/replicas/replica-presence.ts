// Which coordinator replicas are running: each keeps an entry (its address, URL and start time) in
// a NATS KV bucket whose entries expire unless refreshed, so a replica that dies drops out within
// REPLICA_TTL_MS, and any replica can list all of them (/v1/replicas, /metrics).
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { kvKeys, placed } from '../../shared/nats/connection.js';
import { REPLICA_BUCKET } from '../../shared/protocol/subjects.js';

/** An entry expires this long after its last refresh. */
export const REPLICA_TTL_MS = 10_000;
const REFRESH_MS = 3_000;

export interface ReplicaEntry {
  /** The replica's coordinator key (lowercase). */
  address: string;
  /** Where this replica's HTTP API answers (behind a load balancer: the balancer's URL). */
  url: string;
  startedAt: string;
}

export class ReplicaPresence {
  private timer: NodeJS.Timeout | undefined;
  private self: ReplicaEntry | undefined;

  private constructor(private readonly kv: KV) {}

  /** Opens (creating if needed) the bucket, kept on `replicas` NATS nodes. */
  static async open(nc: NatsConnection, replicas: number): Promise<ReplicaPresence> {
    const kv = await placed(() =>
      new Kvm(nc).create(REPLICA_BUCKET, { ttl: REPLICA_TTL_MS, history: 1, replicas }),
    );
    return new ReplicaPresence(kv);
  }

  /** Writes this replica's entry now and every few seconds, until stop. */
  async start(self: ReplicaEntry): Promise<void> {
    this.self = self;
    const put = () => this.kv.put(self.address, JSON.stringify(self));
    await put();
    this.timer = setInterval(() => void put().catch(() => undefined), REFRESH_MS);
  }

  /** Every replica with a live entry, this one included, once each. */
  async list(): Promise<ReplicaEntry[]> {
    const out: ReplicaEntry[] = [];
    // A key listing is a watch of the bucket: an entry refreshed while it runs can be delivered
    // twice (seen in CI: one replica listed twice under load), so keys are taken once each.
    for (const key of await kvKeys(this.kv)) {
      const e = await this.kv.get(key);
      if (e && e.operation === 'PUT') out.push(e.json<ReplicaEntry>());
    }
    return out.sort((a, b) => a.address.localeCompare(b.address));
  }

  /** Removes this replica's entry (a clean stop: the others see it gone at once). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.self) await this.kv.delete(this.self.address).catch(() => undefined);
  }
}
