// NATS authentication for a market, with what nats-server 2.9 supports: operator mode (JWTs,
// a memory resolver). An operator signs one account, GAVEL; whoever holds the account's seed (the
// coordinator) issues user credentials: to itself with every permission, and to each prover that
// proves with its Ethereum key that it is a registered prover, a user limited to its own subjects.
// The server checks every connection and every publish and subscribe; nothing else is trusted.
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser, fromSeed, type KeyPair } from '@nats-io/nkeys';
import { credsAuthenticator } from '@nats-io/transport-node';
import { GavelError } from '../errors.js';
import {
  ANNOUNCE_SUBJECT,
  awardConsumer,
  CIRCUITS_SUBJECT,
  PRESENCE_BUCKET,
  WORK_STREAM,
} from '../protocol/subjects.js';

/** The seeds of a market's NATS authority (operator, system account, the GAVEL account). */
export interface NatsAuthority {
  operatorSeed: string;
  systemSeed: string;
  accountSeed: string;
}

const seedOf = (kp: KeyPair) => new TextDecoder().decode(kp.getSeed());

/** New keys for a market's NATS (kept by whoever runs the servers and the coordinator). */
export function createNatsAuthority(): NatsAuthority {
  return {
    operatorSeed: seedOf(createOperator()),
    systemSeed: seedOf(createAccount()),
    accountSeed: seedOf(createAccount()),
  };
}

const UNLIMITED = {
  subs: -1,
  conn: -1,
  leaf: -1,
  imports: -1,
  exports: -1,
  data: -1,
  payload: -1,
  wildcards: true,
  disk_storage: -1,
  mem_storage: -1,
  streams: -1,
  consumer: -1,
};

/** The server configuration block that enables operator mode with this authority. */
export async function serverAuthConfig(a: NatsAuthority): Promise<string> {
  const op = fromSeed(new TextEncoder().encode(a.operatorSeed));
  const sys = fromSeed(new TextEncoder().encode(a.systemSeed));
  const acc = fromSeed(new TextEncoder().encode(a.accountSeed));
  const operatorJwt = await encodeOperator('gavel-operator', op, { system_account: sys.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', sys, {}, { signer: op });
  const accountJwt = await encodeAccount('GAVEL', acc, { limits: UNLIMITED } as never, { signer: op });
  return [
    `operator: ${operatorJwt}`,
    `system_account: ${sys.getPublicKey()}`,
    'resolver: MEMORY',
    'resolver_preload: {',
    `  ${acc.getPublicKey()}: ${accountJwt}`,
    `  ${sys.getPublicKey()}: ${systemJwt}`,
    '}',
  ].join('\n');
}

/** What a user may publish and subscribe to. */
export interface NatsPermissions {
  pub: string[];
  sub: string[];
}

/** The inbox prefix of a prover's connection: replies to it are readable by it alone. */
export const proverInbox = (prover: string) => `_INBOX_${prover.toLowerCase()}`;

/**
 * A prover publishes only its own bids, hellos, heartbeats, results and presence, reads only
 * announcements, circuit notices and its own inbox, and reaches JetStream only for its own award
 * consumer.
 */
export function proverPermissions(prover: string): NatsPermissions {
  const p = prover.toLowerCase();
  const consumer = awardConsumer(p);
  return {
    pub: [
      `gavel.bids.${p}`,
      `gavel.hello.${p}`,
      `gavel.heartbeat.${p}.*`,
      `gavel.result.${p}.*`,
      `$JS.API.CONSUMER.INFO.${WORK_STREAM}.${consumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${WORK_STREAM}.${consumer}`,
      `$JS.ACK.${WORK_STREAM}.${consumer}.>`,
      `$JS.API.STREAM.INFO.KV_${PRESENCE_BUCKET}`,
      `$KV.${PRESENCE_BUCKET}.${p}`,
    ],
    sub: [ANNOUNCE_SUBJECT, CIRCUITS_SUBJECT, `${proverInbox(p)}.>`],
  };
}

/** A user JWT for the user key `userPublicKey`, signed with the account seed; the server refuses
 *  and disconnects it after `expiresAt` (unix seconds; none: it never expires). */
export async function issueUserJwt(
  accountSeed: string,
  name: string,
  userPublicKey: string,
  permissions?: NatsPermissions,
  expiresAt?: number,
): Promise<string> {
  const acc = fromSeed(new TextEncoder().encode(accountSeed));
  const user = permissions
    ? { pub: { allow: permissions.pub }, sub: { allow: permissions.sub }, subs: -1, data: -1, payload: -1 }
    : { subs: -1, data: -1, payload: -1 };
  return encodeUser(
    name,
    userPublicKey,
    acc,
    user as never,
    expiresAt === undefined ? {} : { exp: expiresAt },
  );
}

/** Full credentials (a creds file's text) for a user with `permissions` (none: every subject). */
export async function issueCreds(
  accountSeed: string,
  name: string,
  permissions?: NatsPermissions,
): Promise<string> {
  const user = createUser();
  const jwt = await issueUserJwt(accountSeed, name, user.getPublicKey(), permissions);
  return new TextDecoder().decode(fmtCreds(jwt, user));
}

/** An authenticator from a creds file's text. */
export function credsAuth(creds: string | (() => string)) {
  try {
    if (typeof creds === 'function') return credsAuthenticator(() => new TextEncoder().encode(creds()));
    return credsAuthenticator(new TextEncoder().encode(creds));
  } catch (cause) {
    throw new GavelError('BAD_NATS_CREDS', 'the NATS credentials are not a valid creds file', { cause });
  }
}
