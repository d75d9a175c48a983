// Inputs availability (a data availability committee of watchtowers). A watchtower that mirrors a
// job's inputs signs `InputsHeld`: it holds inputs hashing to the hash the escrow commits to, and
// serves them to the requester and to the prover the chain has assigned. A requester may require k
// such signatures, from k different watchtowers, before its job is auctioned. A prover that cannot
// get the committed inputs from a party that should serve them signs `InputsFault` against that
// party (missing or mismatched) and files it with watchtowers; it hands its attempt back, unslashed.
// Both are EIP-712 in the watchtower domain (attestation.ts), so anyone recovers who signed.
import { recoverAddress, type Signer, type TypedDataDomain, TypedDataEncoder } from 'ethers';
import { GavelError } from '../errors.js';
import {
  ADDRESS,
  BadMessageError,
  HEX32,
  int,
  type Obj,
  obj,
  parseJson,
  SIGNATURE,
  str,
} from './validate.js';

export const INPUTS_HELD_TYPES = {
  InputsHeld: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'inputsHash', type: 'bytes32' },
    { name: 'at', type: 'uint64' },
    { name: 'url', type: 'string' },
  ],
};

export interface InputsHeld {
  jobId: string;
  inputsHash: string;
  /** Unix seconds. */
  at: number;
  /** Where the signer serves the inputs: signed, so nobody who relays the attestation (the
   *  coordinator, in announcements and awards) can point provers elsewhere (review N11). */
  url: string;
}

/** An availability attestation as it travels: the signed fields and who signed. */
export interface SignedInputsHeld extends InputsHeld {
  watchtower: string;
  signature: string;
}

/** At most this many mirrors travel with a job (they ride in announcements and awards). */
export const MAX_MIRRORS = 8;

export async function signInputsHeld(
  signer: Signer,
  domain: TypedDataDomain,
  held: InputsHeld,
): Promise<SignedInputsHeld> {
  const terms = {
    jobId: held.jobId.toLowerCase(),
    inputsHash: held.inputsHash.toLowerCase(),
    at: held.at,
    url: held.url,
  };
  return {
    ...terms,
    watchtower: (await signer.getAddress()).toLowerCase(),
    signature: await signer.signTypedData(domain, INPUTS_HELD_TYPES, terms),
  };
}

function recovered(
  domain: TypedDataDomain,
  types: typeof INPUTS_HELD_TYPES | typeof INPUTS_FAULT_TYPES,
  value: Record<string, unknown>,
  signature: string,
): string | undefined {
  try {
    return recoverAddress(TypedDataEncoder.hash(domain, types, value), signature).toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The distinct watchtowers whose attestations in `given` say they hold `inputsHash` for `jobId`;
 * BAD_ATTESTATION for any that is malformed, signed by someone other than it names, or about
 * other inputs, and AVAILABILITY_SHORT when fewer than `required` distinct signers remain.
 */
export function checkAvailability(
  domain: TypedDataDomain,
  jobId: string,
  inputsHash: string,
  required: number,
  given: SignedInputsHeld[],
): SignedInputsHeld[] {
  if (given.length > MAX_MIRRORS)
    throw new GavelError(
      'BAD_ATTESTATION',
      `at most ${MAX_MIRRORS} availability attestations, got ${given.length}`,
    );
  const bySigner = new Map<string, SignedInputsHeld>();
  for (const a of given) {
    if (
      a.jobId.toLowerCase() !== jobId.toLowerCase() ||
      a.inputsHash.toLowerCase() !== inputsHash.toLowerCase()
    )
      throw new GavelError('BAD_ATTESTATION', `the attestation of ${a.watchtower} is about other inputs`);
    const signer = recovered(
      domain,
      INPUTS_HELD_TYPES,
      { jobId: a.jobId, inputsHash: a.inputsHash, at: a.at, url: a.url },
      a.signature,
    );
    if (!signer || signer !== a.watchtower.toLowerCase())
      throw new GavelError(
        'BAD_ATTESTATION',
        `the attestation said to be from ${a.watchtower} is not signed by it`,
      );
    bySigner.set(signer, { ...a, watchtower: signer });
  }
  if (bySigner.size < required)
    throw new GavelError(
      'AVAILABILITY_SHORT',
      `the job requires ${required} watchtowers to hold its inputs; ${bySigner.size} attested`,
    );
  return [...bySigner.values()];
}

/** What went wrong with a party's inputs: it did not serve them, or served other ones. */
export const FAULT_KIND = { missing: 1, mismatched: 2 } as const;
export type FaultKind = (typeof FAULT_KIND)[keyof typeof FAULT_KIND];

export const INPUTS_FAULT_TYPES = {
  InputsFault: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'attempt', type: 'uint32' },
    { name: 'party', type: 'address' },
    { name: 'source', type: 'string' },
    { name: 'kind', type: 'uint8' },
    { name: 'servedHash', type: 'bytes32' },
    { name: 'at', type: 'uint64' },
  ],
};

export interface InputsFault {
  jobId: string;
  attempt: number;
  /** Who should have served the inputs: the coordinator that signed the award, or a watchtower
   *  that attested it held them (the zero address when the party is not known). */
  party: string;
  /** Where the prover asked (a URL). */
  source: string;
  kind: FaultKind;
  /** The hash of what was served (zero when nothing was). */
  servedHash: string;
  /** Unix seconds. */
  at: number;
}

export interface SignedInputsFault extends InputsFault {
  prover: string;
  signature: string;
}

export async function signInputsFault(
  signer: Signer,
  domain: TypedDataDomain,
  fault: InputsFault,
): Promise<SignedInputsFault> {
  return {
    ...fault,
    prover: (await signer.getAddress()).toLowerCase(),
    signature: await signer.signTypedData(domain, INPUTS_FAULT_TYPES, fault),
  };
}

/** Who signed a fault report, or undefined when the signature is malformed. */
export function inputsFaultSigner(domain: TypedDataDomain, f: SignedInputsFault): string | undefined {
  const { jobId, attempt, party, source, kind, servedHash, at } = f;
  return recovered(
    domain,
    INPUTS_FAULT_TYPES,
    { jobId, attempt, party, source, kind, servedHash, at },
    f.signature,
  );
}

/** An availability attestation from untrusted JSON (a request body or a watchtower's reply). */
export function parseInputsHeld(value: unknown): SignedInputsHeld {
  const a = obj(value, 'attestation');
  return {
    jobId: str(a, 'jobId', { pattern: HEX32 }).toLowerCase(),
    inputsHash: str(a, 'inputsHash', { pattern: HEX32 }).toLowerCase(),
    at: int(a, 'at', 0, 2 ** 40),
    watchtower: str(a, 'watchtower', { pattern: ADDRESS }).toLowerCase(),
    signature: str(a, 'signature', { pattern: SIGNATURE }),
    url: mirrorUrl(a, 'url'),
  };
}

/** An http(s) URL of at most 512 characters. */
export function mirrorUrl(o: Obj, key: string): string {
  const url = str(o, key, { max: 512 });
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new BadMessageError(`${key} must be an http(s) URL`);
  return url.replace(/\/$/, '');
}

/** A fault report filed with a watchtower (POST /v1/inputs-faults), at most 4 KiB. */
export function parseInputsFault(data: Uint8Array): SignedInputsFault {
  const f = parseJson(data, 4096);
  const kind = int(f, 'kind', 1, 2) as FaultKind;
  return {
    jobId: str(f, 'jobId', { pattern: HEX32 }).toLowerCase(),
    attempt: int(f, 'attempt', 0, 1_000_000),
    party: str(f, 'party', { pattern: ADDRESS }).toLowerCase(),
    source: str(f, 'source', { max: 512 }),
    kind,
    servedHash: str(f, 'servedHash', { pattern: HEX32 }).toLowerCase(),
    at: int(f, 'at', 0, 2 ** 40),
    prover: str(f, 'prover', { pattern: ADDRESS }).toLowerCase(),
    signature: str(f, 'signature', { pattern: SIGNATURE }),
  };
}
