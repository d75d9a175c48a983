// A registered circuit's on-chain verifier: written by bb.js from the VK, compiled with the pinned
// settings, deployed with its libraries, and recorded in the VerifierRegistry under the VK's hash.
// Jobs commit to it; provers rebuild it and compare before they bid.
import { getAddress } from 'ethers';
import { compileVerifier, deployVerifier, verifierMismatch } from '../../shared/chain/circuit-verifier.js';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import { GavelError } from '../../shared/errors.js';
import type { VerifierKind } from '../../shared/proving/honk-verifier.js';

/** Deploys and registers the verifier `source` (bb.js's of template `kind`, for the VK hashing
 *  to `vkHash`). */
export async function deployCircuitVerifier(
  chain: GavelContracts,
  source: string,
  vkHash: string,
  kind: VerifierKind,
): Promise<string> {
  const build = await compileVerifier(source);
  const { verifier } = await deployVerifier(chain.signer(), build);
  const provider = chain.market.runner?.provider;
  const mismatch = provider ? await verifierMismatch(provider, verifier, build) : 'no provider';
  if (mismatch)
    throw new GavelError('VERIFIER_MISMATCH', `deployed verifier does not check out: ${mismatch}`);
  await chain.registerVerifier(vkHash, verifier, kind);
  return getAddress(verifier);
}
