// Hellos, heartbeats and results are signed (EIP-191 over the keccak of their canonical JSON) so
// nobody can speak for a prover: a forged "invalid result" could otherwise get it slashed.
import { getBytes, type Signer, verifyMessage } from 'ethers';
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
