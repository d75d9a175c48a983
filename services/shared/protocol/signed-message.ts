// Hellos, heartbeats and results are signed (EIP-191 over the keccak of their canonical JSON) so
// nobody can speak for a prover: a forged "invalid result" could otherwise get it slashed.
import { getBytes, keccak256, type Signer, verifyMessage } from 'ethers';
import { hashJson } from './canonical-json.js';

export interface Signed<T> {
  body: T;
  signer: string;
  signature: string;
}

export async function signMessage<T>(signer: Signer, body: T): Promise<Signed<T>> {
  const signature = await signer.signMessage(getBytes(hashJson(body)));
  return { body, signer: await signer.getAddress(), signature };
}

/** True when `signature` over `body` was made by `signer`. Never throws. */
export function verifySigned<T>(msg: Signed<T>): boolean {
  try {
    return (
      verifyMessage(getBytes(hashJson(msg.body)), msg.signature).toLowerCase() === msg.signer.toLowerCase()
    );
  } catch {
    return false;
  }
}

/**
 * The JetStream message id of a signed message: its kind and the hash of its bytes. JetStream
 * deduplicates by id across the whole stream, whoever publishes; an id anyone can predict
 * ("award:<job>:<attempt>") lets a hostile prover publish first under it on its own subject and
 * have the genuine message dropped. A hash of signed bytes cannot be predicted before they are
 * signed, yet a re-send of the same message (signatures here are deterministic) is still a no-op.
 */
export function dedupId(kind: string, bytes: Uint8Array): string {
  return `${kind}:${keccak256(bytes).slice(2)}`;
}
