// The on-chain verifier of a PLONK circuit: snarkjs's PlonkVerifier (its own template, rendered
// from the verification key as `snarkjs zkey export solidityverifier` does) plus a thin contract
// that gives it Gavel's IVerifier interface, so PLONK jobs settle exactly like UltraHonk ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GavelError } from '../../errors.js';
import { snarkjsDir } from './snarkjs-files.js';

export const PLONK_VERIFIER_CONTRACT = 'GavelPlonkVerifier';

function template(): string {
  return readFileSync(join(snarkjsDir(), 'templates', 'verifier_plonk.sol.ejs'), 'utf8');
}

function adapter(nPublic: number): string {
  return `
/// @notice Gavel's IVerifier over the PlonkVerifier above: \`proof\` is the 24 words verifyProof
/// takes (768 bytes), \`publicInputs\` its ${nPublic} public signals. A wrong length is not a proof.
contract ${PLONK_VERIFIER_CONTRACT} is PlonkVerifier {
    function verify(bytes calldata proof, bytes32[] calldata publicInputs) external view returns (bool) {
        if (proof.length != 768 || publicInputs.length != ${nPublic}) return false;
        uint256[24] memory words = abi.decode(proof, (uint256[24]));
        uint256[${nPublic}] memory signals;
        for (uint256 i = 0; i < ${nPublic}; i++) signals[i] = uint256(publicInputs[i]);
        return this.verifyProof(words, signals);
    }
}
`;
}

/** Solidity source of the verifier of `vk` (snarkjs's JSON verification key). */
export async function plonkVerifierSource(vk: Record<string, unknown>): Promise<string> {
  const nPublic = Number(vk.nPublic);
  if (!Number.isInteger(nPublic) || nPublic < 1) {
    throw new GavelError('INVALID_VK', 'a PLONK circuit needs at least one public input to settle on-chain');
  }
  const { default: ejs } = (await import('ejs')) as { default: { render(t: string, d: object): string } };
  return ejs.render(template(), vk) + adapter(nPublic);
}
