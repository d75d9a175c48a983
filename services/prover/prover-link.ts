// The prover side of the Gavel protocol, in one place: signed hello, announcements and circuit
// notices, EIP-712 bids (with a nonce that never repeats), the durable award consumer, signed
// heartbeats and results, and the presence entry. Used by the prover agent and by every test or
// benchmark that acts as a prover, so the wire format is written once.
import { type ConsumerMessages, jetstream } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { createUser } from '@nats-io/nkeys';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { TypedDataDomain, Wallet } from 'ethers';
import { GavelError } from '../shared/errors.js';
import { proverInbox } from '../shared/nats/auth.js';
import { connectNats, openPresenceBucket, PULL_EXPIRES_MS } from '../shared/nats/connection.js';
import { signBid } from '../shared/protocol/bid-signing.js';
import {
  type Announcement,
  type Award,
  type BidReply,
  type BidRequest,
  type CircuitNotice,
  encode,
  type HelloBody,
  type HelloReply,
  latestDeliverySeconds,
  parseAnnouncement,
  parseCircuitNotice,
} from '../shared/protocol/messages.js';
import { CredentialsRenewal, requestCredentials } from '../shared/protocol/prover-credentials.js';
import { resultTerms, signResult } from '../shared/protocol/result-signing.js';
import { dedupId, signMessage } from '../shared/protocol/signed-message.js';
import {
  ANNOUNCE_SUBJECT,
  awardConsumer,
  bidSubject,
  CIRCUITS_SUBJECT,
  heartbeatSubject,
  helloSubject,
  resultSubject,
  WORK_STREAM,
} from '../shared/protocol/subjects.js';
import { retry } from '../shared/retry.js';

/** What a prover declares in its hello. */
export type Capabilities = Omit<HelloBody, 'prover' | 'at'>;

/** The terms a prover offers for one auction round. */
export interface BidOffer {
  jobId: string;
  attempt: number;
  price: bigint;
  /** Unix seconds after which the bid is void. */
  expiry: number;
  /** Seconds after assignment within which the prover promises its proofs on-chain. */
  deliverySeconds: number;
  /** A fixed nonce (tests replaying one); by default the link's next nonce. */
  nonce?: bigint;
}

/** Which award a heartbeat or result belongs to. */
export type AwardRef = Pick<Award, 'jobId' | 'attempt'>;

export interface ProofPayload {
  proof: Uint8Array;
  publicInputs: string[];
}

export interface ProverConnectOptions {
  coordinatorUrl: string;
  natsUrl: string;
  /** CA file of a NATS server with TLS. */
  natsCa?: string;
  wallet: Wallet;
  domain: TypedDataDomain;
  name?: string;
  firstNonce?: bigint;
  onReconnect?: () => void;
  /** Told when renewing the NATS credentials fails (the prover is cut off when they expire). */
  onCredentialsRefused?: (err: unknown) => void;
}

/** A bid offer for announcement `a` at `price`, promising delivery within `deliverySeconds` of
 *  assignment, valid until the chain time the coordinator states it assigns by. */
export function offerFor(
  a: Announcement,
  price: bigint,
  deliverySeconds = Math.min(600, latestDeliverySeconds(a)),
): BidOffer {
  // The latest time it may be assigned. A bid valid longer would let an assignment come late and
  // cut into the delivery time it signs.
  const expiry = a.assignBy;
  return { jobId: a.jobId, attempt: a.attempt, price, expiry, deliverySeconds };
}

export class ProverLink {
  /** The prover's address, lowercase. */
  readonly address: string;
  private nonce: bigint;

  constructor(
    readonly nc: NatsConnection,
    /** The prover's key: it signs every message and request of the link. */
    readonly wallet: Wallet,
    readonly domain: TypedDataDomain,
    firstNonce = BigInt(Date.now()) * 1000n,
  ) {
    this.address = wallet.address.toLowerCase();
    this.nonce = firstNonce;
  }

  /** Sends a signed hello; retries `retries` times while nobody answers. */
  async hello(caps: Capabilities, opts: { retries?: number; timeoutMs?: number } = {}): Promise<HelloReply> {
    const msg = encode(await signMessage(this.wallet, { prover: this.address, ...caps, at: Date.now() }));
    const ask = async () =>
      (
        await this.nc.request(helloSubject(this.address), msg, { timeout: opts.timeoutMs ?? 2000 })
      ).json<HelloReply>();
    try {
      return await retry(ask, { shouldRetry: (_err, tries) => tries <= (opts.retries ?? 0), delayMs: 500 });
    } catch (err) {
      throw new GavelError('HELLO_UNANSWERED', 'no coordinator answered the hello', { cause: err });
    }
  }

  /** Calls `onAnnouncement` for every well-formed announcement (malformed ones are dropped). */
  announcements(onAnnouncement: (a: Announcement) => void): Subscription {
    return this.subscribeParsed(ANNOUNCE_SUBJECT, parseAnnouncement, onAnnouncement);
  }

  /** Calls `onNotice` for every well-formed circuit notice (malformed ones are dropped). */
  circuitNotices(onNotice: (n: CircuitNotice) => void): Subscription {
    return this.subscribeParsed(CIRCUITS_SUBJECT, parseCircuitNotice, onNotice);
  }

  /** Subscribes to `subject`, handing `on` every message `parse` accepts (the rest are dropped). */
  private subscribeParsed<T>(subject: string, parse: (data: Uint8Array) => T, on: (m: T) => void) {
    return this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        let parsed: T;
        try {
          parsed = parse(msg.data);
        } catch {
          return;
        }
        on(parsed);
      },
    });
  }

  /** Signs `offer` as an EIP-712 bid ready to send. */
  async signBid(offer: BidOffer): Promise<BidRequest> {
    const nonce = offer.nonce ?? ++this.nonce;
    const terms = {
      jobId: offer.jobId,
      attempt: offer.attempt,
      price: offer.price,
      prover: this.wallet.address,
      expiry: offer.expiry,
      nonce,
      deliverySeconds: offer.deliverySeconds,
    };
    const signature = await signBid(this.wallet, this.domain, terms);
    return { bid: { ...terms, price: terms.price.toString(), nonce: nonce.toString() }, signature };
  }

  /** Sends a signed bid (or any payload, for tests) and returns the coordinator's verdict. */
  async sendBid(request: BidRequest | Uint8Array, timeoutMs = 5000): Promise<BidReply> {
    const data = request instanceof Uint8Array ? request : encode(request);
    return (await this.nc.request(bidSubject(this.address), data, { timeout: timeoutMs })).json<BidReply>();
  }

  /** Signs and sends a bid. */
  async bid(offer: BidOffer, timeoutMs = 5000): Promise<{ request: BidRequest; reply: BidReply }> {
    const request = await this.signBid(offer);
    return { request, reply: await this.sendBid(request, timeoutMs) };
  }

  /** The prover's awards, from the durable consumer the coordinator made for it when it issued
   *  its credentials: one at a time, each held 10 s unless `working()` is called, redelivered
   *  until acknowledged. */
  async awards(): Promise<ConsumerMessages> {
    const consumer = await jetstream(this.nc).consumers.get(WORK_STREAM, awardConsumer(this.address));
    return consumer.consume({ max_messages: 1, expires: PULL_EXPIRES_MS });
  }

  /** A signed heartbeat: the lease of `award` is kept alive, with `done` of `total` items proved. */
  async heartbeat(award: AwardRef, done: number, total: number): Promise<void> {
    const body = {
      jobId: award.jobId,
      attempt: award.attempt,
      prover: this.address,
      done,
      total,
      at: Date.now(),
    };
    this.nc.publish(
      heartbeatSubject(this.address, award.jobId),
      encode(await signMessage(this.wallet, body)),
    );
  }

  /** Publishes the signed proof of one batch item on JetStream (a re-send of the same bytes is a no-op). */
  async publishResult(award: AwardRef, itemIndex: number, proof: ProofPayload): Promise<void> {
    const terms = resultTerms(award.jobId, award.attempt, itemIndex, proof.proof, proof.publicInputs);
    const result = await signMessage(this.wallet, {
      jobId: award.jobId,
      attempt: award.attempt,
      prover: this.address,
      itemIndex,
      proof: Buffer.from(proof.proof).toString('base64'),
      publicInputs: proof.publicInputs,
      resultSignature: await signResult(this.wallet, this.domain, terms),
    });
    const bytes = encode(result);
    await jetstream(this.nc).publish(resultSubject(this.address, award.jobId), bytes, {
      msgID: dedupId('result', bytes),
    });
  }

  /** The presence bucket: entries live PRESENCE_TTL_MS unless refreshed. */
  presenceBucket(): Promise<KV> {
    return openPresenceBucket(this.nc);
  }

  /**
   * Connects a prover to the market's NATS: a fresh NATS user key, certified by the prover's
   * Ethereum key, is exchanged at the coordinator for a user JWT limited to this prover's own
   * subjects (GET …/v1/nats answers how the market's NATS is secured).
   */
  static async connect(opts: ProverConnectOptions): Promise<ProverLink> {
    const address = opts.wallet.address.toLowerCase();
    const user = createUser();
    const ask = () => requestCredentials(opts.coordinatorUrl, opts.wallet, user);
    const issued = await ask();
    const renewal = issued && new CredentialsRenewal(issued, ask, (err) => opts.onCredentialsRefused?.(err));
    let nc: NatsConnection;
    try {
      nc = await connectNats({
        url: opts.natsUrl,
        name: opts.name ?? `gavel-prover-${address}`,
        creds: renewal ? () => renewal.creds : undefined,
        caFile: opts.natsCa || undefined,
        inboxPrefix: proverInbox(address),
        ...(opts.onReconnect ? { onReconnect: opts.onReconnect } : {}),
      });
    } catch (err) {
      renewal?.stop();
      throw err;
    }
    void nc.closed().then(() => renewal?.stop());
    return new ProverLink(nc, opts.wallet, opts.domain, opts.firstNonce);
  }
}
