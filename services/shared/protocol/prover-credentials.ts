// A prover's NATS credentials: its Ethereum key certifies a NATS user key, the coordinator issues a
// user JWT for it (limited to the prover's own subjects, expiring), and the agent renews it before
// it expires; the connection reads the latest one at each (re)connect.
import { fmtCreds } from '@nats-io/jwt';
import type { KeyPair } from '@nats-io/nkeys';
import type { Wallet } from 'ethers';
import { GavelError } from '../errors.js';

/** The text a prover signs (EIP-191) to have its NATS user key certified. */
export function credentialsMessage(prover: string, nkey: string, at: number): string {
  return `Gavel NATS credentials\nprover: ${prover.toLowerCase()}\nnkey: ${nkey}\nissued at: ${at}`;
}

/** Credentials the coordinator issued: a creds file's text and when the server stops taking it. */
export interface IssuedCredentials {
  creds: string;
  /** Unix seconds (undefined: they never expire). */
  expiresAt: number | undefined;
}

/** Asks the coordinator to certify `user` for NATS; undefined when the market's NATS is open. */
export async function requestCredentials(
  coordinatorUrl: string,
  wallet: Wallet,
  user: KeyPair,
): Promise<IssuedCredentials | undefined> {
  const nkey = user.getPublicKey();
  const at = Date.now();
  const prover = wallet.address.toLowerCase();
  const signature = await wallet.signMessage(credentialsMessage(prover, nkey, at));
  let res: Response;
  try {
    res = await fetch(`${coordinatorUrl}/v1/provers/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prover, nkey, at, signature }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new GavelError('COORDINATOR_UNREACHABLE', `cannot reach the coordinator at ${coordinatorUrl}`, {
      cause,
    });
  }
  const body = (await res.json().catch(() => ({}))) as {
    jwt?: string;
    expiresAt?: number;
    open?: boolean;
    error?: { code: string; message: string };
  };
  if (res.ok && body.open) return undefined;
  if (!res.ok || !body.jwt) {
    const why = body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`;
    throw new GavelError(
      'NATS_CREDENTIALS_REFUSED',
      `the coordinator refused NATS credentials for ${prover}: ${why}`,
    );
  }
  return { creds: new TextDecoder().decode(fmtCreds(body.jwt, user)), expiresAt: body.expiresAt };
}

/** Keeps a prover's expiring credentials fresh: renewed when 3/4 of their time has passed (again
 *  every 10 s while the coordinator does not answer); the connection reads the latest ones at
 *  each reconnect. A prover refused renewal (no longer registered or staked) is cut off by the
 *  server when the last ones expire. */
export class CredentialsRenewal {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private issued: IssuedCredentials,
    private readonly renew: () => Promise<IssuedCredentials | undefined>,
    private readonly onRefused: (err: unknown) => void,
  ) {
    this.schedule();
  }

  get creds(): string {
    return this.issued.creds;
  }

  private schedule(retryMs?: number): void {
    const { expiresAt } = this.issued;
    if (this.stopped || expiresAt === undefined) return;
    const left = expiresAt * 1000 - Date.now();
    const delay = retryMs ?? Math.max(1000, left * 0.75);
    this.timer = setTimeout(() => void this.renewNow(), delay);
    this.timer.unref();
  }

  private async renewNow(): Promise<void> {
    try {
      const next = await this.renew();
      if (next) this.issued = next;
      this.schedule();
    } catch (err) {
      this.onRefused(err);
      if (Date.now() < (this.issued.expiresAt ?? 0) * 1000) this.schedule(10_000);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
