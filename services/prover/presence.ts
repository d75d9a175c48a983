// The agent's presence entry: its status, refreshed at a third of the entry's TTL so the market
// sees it live, and deleted when it stops.
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { PRESENCE_TTL_MS } from '../shared/protocol/job-states.js';

export class Presence {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bucket: KV,
    private readonly address: string,
    private readonly status: () => object,
    private readonly log: Logger,
  ) {}

  /** Writes the entry now and keeps it alive. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), PRESENCE_TTL_MS / 3);
  }

  private async refresh(): Promise<void> {
    try {
      await this.bucket.put(this.address, JSON.stringify({ ...this.status(), at: Date.now() }));
    } catch (err) {
      this.log.warn({ err: err }, 'presence update failed');
    }
  }

  /** Stops refreshing and removes the entry. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.bucket.delete(this.address).catch(() => undefined);
  }
}
