// Watchtower attestations ("proof of diligence"): for each job it checked, a watchtower signs what
// it found — the auction's verdict (its transcript against the committed root and the rule), the
// inputs' availability, and the proofs re-verified from the fulfilment calldata — with the hash of
// what it checked. EIP-712 in the Market's chain and address, so anyone recovers the signer; a
// watchtower that signs "valid" on something later shown invalid has its signature on record.
import {
  concat,
  keccak256,
  recoverAddress,
  type Signer,
  type TypedDataDomain,
  TypedDataEncoder,
} from 'ethers';

/** A verdict: 0 not checked, 1 passed, 2 failed. */
export const VERDICT = { notChecked: 0, passed: 1, failed: 2 } as const;
export type Verdict = (typeof VERDICT)[keyof typeof VERDICT];
export const VERDICT_NAME: Record<Verdict, string> = { 0: 'not checked', 1: 'passed', 2: 'failed' };

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'attempt', type: 'uint32' },
    { name: 'auction', type: 'uint8' },
    { name: 'availability', type: 'uint8' },
    { name: 'proofs', type: 'uint8' },
    { name: 'checked', type: 'bytes32' },
    { name: 'at', type: 'uint64' },
  ],
};

export interface AttestationTerms {
  jobId: string;
  attempt: number;
  auction: Verdict;
  availability: Verdict;
  proofs: Verdict;
  /** keccak256 of what was checked: the committed transcript root, then each fulfilment's calldata. */
  checked: string;
  /** Unix seconds. */
  at: number;
}

export interface SignedAttestation extends AttestationTerms {
  watchtower: string;
  signature: string;
}

export function attestationDomain(chainId: number, market: string): TypedDataDomain {
  return { name: 'Gavel Watchtower', version: '1', chainId, verifyingContract: market };
}

/** The hash of what a watchtower checked for one attempt. */
export function checkedHash(transcriptRoot: string, fulfilmentCalldata: string[]): string {
  return keccak256(concat([transcriptRoot, ...fulfilmentCalldata.map((c) => keccak256(c))]));
}

export async function signAttestation(
  signer: Signer,
  domain: TypedDataDomain,
  terms: AttestationTerms,
): Promise<SignedAttestation> {
  return {
    ...terms,
    watchtower: await signer.getAddress(),
    signature: await signer.signTypedData(domain, ATTESTATION_TYPES, terms),
  };
}

/** Who signed an attestation, or undefined when the signature is malformed. */
export function attestationSigner(domain: TypedDataDomain, a: AttestationTerms & { signature: string }) {
  const { jobId, attempt, auction, availability, proofs, checked, at } = a;
  try {
    return recoverAddress(
      TypedDataEncoder.hash(domain, ATTESTATION_TYPES, {
        jobId,
        attempt,
        auction,
        availability,
        proofs,
        checked,
        at,
      }),
      a.signature,
    );
  } catch {
    return undefined;
  }
}
