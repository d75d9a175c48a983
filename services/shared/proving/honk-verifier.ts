// The two Solidity templates of an UltraHonk verifier that bb.js writes from a VK: the standard
// one (a contract linking six libraries, about 3.45 M gas per batch_transfer proof) and the
// optimized one (one contract, no libraries, about 0.77 M gas). Only the native `bb` writes the
// optimized one: asked through the WASM backend, bb.js silently returns the standard contract, so
// every source is checked for the template it really is before anyone deploys or trusts it.
import { BackendType, Barretenberg } from '@aztec/bb.js';
import { GavelError } from '../errors.js';
import { bbBinaryPath } from './bb-paths.js';

/** The templates, numbered as the VerifierRegistry records them. */
export const VERIFIER_KINDS = ['standard', 'optimized'] as const;
export type VerifierKind = (typeof VERIFIER_KINDS)[number];

/** bb's settings for the EVM target (Keccak transcript, zero knowledge), with the template. */
export function evmSettings(kind: VerifierKind) {
  return {
    ipaAccumulation: false,
    oracleHashType: 'keccak',
    disableZk: false,
    optimizedSolidityVerifier: kind === 'optimized',
  };
}

/** Which template a HonkVerifier source is: the standard one declares libraries. */
export function honkTemplateOf(source: string): VerifierKind {
  return /^library \w+/m.test(source) ? 'standard' : 'optimized';
}

/** `source`, once it is checked to be of template `kind`. */
export function checkedTemplate(source: string, kind: VerifierKind): string {
  const got = honkTemplateOf(source);
  if (got !== kind)
    throw new GavelError(
      'VERIFIER_KIND_MISMATCH',
      `bb was asked for the ${kind} UltraHonk verifier and wrote the ${got} one: it is not deployed or trusted`,
    );
  return source;
}

/** The optimized verifier of `vk`, written by a native `bb` started for this call. */
export async function writeOptimizedHonkVerifier(vk: Uint8Array): Promise<string> {
  const bbPath = bbBinaryPath();
  if (!bbPath)
    throw new GavelError(
      'NO_NATIVE_BB',
      `the optimized verifier needs the native bb, and @aztec/bb.js ships none for ${process.platform}/${process.arch}: use the standard verifier`,
    );
  const api = await Barretenberg.new({ backend: BackendType.NativeUnixSocket, threads: 1, bbPath });
  try {
    const { solidityCode } = await api.circuitWriteSolidityVerifier({
      verificationKey: vk,
      settings: evmSettings('optimized'),
    });
    return checkedTemplate(solidityCode, 'optimized');
  } finally {
    await api.destroy();
  }
}
