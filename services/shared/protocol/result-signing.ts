// EIP-712 results and hand-backs (contracts/src/SignedTerms.sol). A prover signs each result it
// sends: if its proof is invalid, that signature is the evidence anyone can slash it with on-chain.
// A prover that gives an award back signs a HandBack, which frees it without a slash.
import { keccak256, type Signer, type TypedDataDomain, verifyTypedData } from 'ethers';
import { publicInputsHash } from '../chain/public-inputs-commitment.js';

export interface ResultTerms {
  jobId: string;
  attempt: number;
  item: number;
  proofHash: string;
  publicInputsHash: string;
}

export const RESULT_TYPES = {
  Result: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'attempt', type: 'uint32' },
    { name: 'item', type: 'uint32' },
    { name: 'proofHash', type: 'bytes32' },
    { name: 'publicInputsHash', type: 'bytes32' },
  ],
};

export const HANDBACK_TYPES = {
  HandBack: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'attempt', type: 'uint32' },
  ],
};

/** The terms a prover signs for item `item`'s proof. */
export function resultTerms(
  jobId: string,
  attempt: number,
  item: number,
  proof: Uint8Array | string,
  publicInputs: string[],
): ResultTerms {
  return {
    jobId,
    attempt,
    item,
    proofHash: keccak256(proof),
    publicInputsHash: publicInputsHash(publicInputs),
  };
}

export function signResult(signer: Signer, domain: TypedDataDomain, terms: ResultTerms): Promise<string> {
  return signer.signTypedData(domain, RESULT_TYPES, terms);
}

/** The signer of `terms`, or undefined for a malformed signature. */
export function recoverResultSigner(
  domain: TypedDataDomain,
  terms: ResultTerms,
  signature: string,
): string | undefined {
  try {
    return verifyTypedData(domain, RESULT_TYPES, terms, signature);
  } catch {
    return undefined;
  }
}

export function signHandBack(
  signer: Signer,
  domain: TypedDataDomain,
  jobId: string,
  attempt: number,
): Promise<string> {
  return signer.signTypedData(domain, HANDBACK_TYPES, { jobId, attempt });
}

/** The signer of a HandBack of (jobId, attempt), or undefined for a malformed signature. */
export function recoverHandBackSigner(
  domain: TypedDataDomain,
  jobId: string,
  attempt: number,
  signature: string,
): string | undefined {
  try {
    return verifyTypedData(domain, HANDBACK_TYPES, { jobId, attempt }, signature);
  } catch {
    return undefined;
  }
}
