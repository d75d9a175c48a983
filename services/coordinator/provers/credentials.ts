// NATS credentials for provers: a prover certifies a fresh NATS user key with its Ethereum key;
// if it is registered on-chain, it gets a user JWT limited to its own subjects (and the durable
// consumer of its awards is made for it). Nothing about the request is trusted but the signature.
import { fromPublic } from '@nats-io/nkeys';
import { verifyMessage } from 'ethers';
import { GavelError } from '../../shared/errors.js';
import { issueUserJwt, proverPermissions } from '../../shared/nats/auth.js';
import { ensureAwardConsumer } from '../../shared/nats/connection.js';
import { credentialsMessage } from '../../shared/protocol/prover-credentials.js';
import type { CoordinatorContext } from '../context.js';

export interface CredentialsRequest {
  prover: string;
  nkey: string;
  /** Epoch ms when the prover signed the request. */
  at: number;
  signature: string;
}

/** How old (or how far ahead) a signed request may be. */
const MAX_SKEW_MS = 5 * 60_000;

function checkRequest(req: CredentialsRequest, now: number): string {
  const prover = req.prover.toLowerCase();
  if (Math.abs(now - req.at) > MAX_SKEW_MS) {
    throw new GavelError(
      'STALE_REQUEST',
      `the request was signed at ${new Date(req.at).toISOString()}, over 5 minutes from now`,
    );
  }
  try {
    fromPublic(req.nkey);
  } catch (cause) {
    throw new GavelError('BAD_REQUEST', 'nkey is not a NATS user public key', { cause });
  }
  if (!req.nkey.startsWith('U')) throw new GavelError('BAD_REQUEST', 'nkey is not a NATS user public key');
  let signer: string;
  try {
    signer = verifyMessage(credentialsMessage(prover, req.nkey, req.at), req.signature).toLowerCase();
  } catch (cause) {
    throw new GavelError('BAD_SIGNATURE', 'the signature is malformed', { cause });
  }
  if (signer !== prover)
    throw new GavelError('BAD_SIGNATURE', `the request is signed by ${signer}, not ${prover}`);
  return prover;
}

/** A user JWT for the prover's key, valid for the configured time, or `{ open: true }` when the
 *  market's NATS needs none. Asked again to renew them: a prover no longer registered, or whose
 *  stake fell below the minimum (slashed out, or leaving), gets none, and is cut off when its last
 *  ones expire. */
export async function issueProverCredentials(ctx: CoordinatorContext, req: CredentialsRequest) {
  const seed = ctx.config.natsAccountSeed;
  if (!seed) return { open: true as const };
  const prover = checkRequest(req, Date.now());
  const { staking } = ctx.chain;
  const [info, standing] = await Promise.all([
    staking.getFunction('proverInfo')(prover),
    staking.getFunction('isRegistered')(prover) as Promise<boolean>,
  ]);
  if (!info.registered) {
    throw new GavelError('NOT_REGISTERED', `${prover} is not registered on-chain: run gavel prover register`);
  }
  if (!standing) {
    throw new GavelError(
      'NO_STAKE',
      `${prover}'s stake (less what it asked to withdraw) is below the market's minimum: run gavel stake deposit`,
    );
  }
  await ensureAwardConsumer(ctx.nc, prover);
  const expiresAt = Math.floor(Date.now() / 1000) + ctx.config.natsCredentialsTtlSeconds;
  const jwt = await issueUserJwt(seed, `prover-${prover}`, req.nkey, proverPermissions(prover), expiresAt);
  ctx.log.info({ prover, expiresAt }, 'NATS credentials issued');
  return { jwt, expiresAt };
}
