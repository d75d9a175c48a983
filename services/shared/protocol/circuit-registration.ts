// A circuit registration is signed by its uploader (EIP-191 over a short readable text): the
// coordinator knows who asks, and deploys a verifier at its own cost only for uploaders it
// sponsors. Anyone else deploys and registers the verifier, paying its gas, and names it.
import type { RequestFields } from './request-auth.js';

export const REGISTER_ACTION = 'register circuit';

export interface RegistrationTerms {
  /** The artifact's content id (over the decompressed program and its ABI). */
  circuit: string;
  /** The verifier template asked for; undefined asks for the circuit system's default. */
  kind?: string;
  /** A verifier the uploader deployed and registered under the circuit's vkHash itself. */
  deployed?: string;
  /** When it was signed (epoch ms). */
  at: number;
}

/** The fields a registration's signature covers. */
export function registrationFields(t: RegistrationTerms): RequestFields {
  return {
    circuit: t.circuit,
    verifier: t.kind ?? 'default',
    deployed: t.deployed?.toLowerCase() ?? 'none',
    at: t.at,
  };
}
