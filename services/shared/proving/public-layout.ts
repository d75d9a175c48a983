// What a program makes public, read from the program itself and compared with what its artifact
// claims. The escrow commits to public inputs predicted from the claim (a Noir ABI's `pub`
// parameters, a circom artifact's `publicInputs`), while bb.js and snarkjs prove with the ones the
// program defines (the ACIR's public parameter and return witnesses, the R1CS's public signals).
// Any gap between the two makes every honest proof of the circuit look invalid and its prover
// slashable (review N1), so an artifact that disagrees with its program is refused.
import { getPublicParametersWitness, getReturnWitness, type WitnessMap } from '@noir-lang/acvm_js';
import type { AbiType } from '@noir-lang/types';
import { GavelError } from '../errors.js';
import type { CircuitArtifact } from './circuit-artifact.js';
import type { CircomArtifact } from './plonk/circom-artifact.js';
import { withSnarkjs } from './plonk/snarkjs.js';

/** More ABI fields than any circuit this market can prove has witnesses (the CRS caps circuits far
 *  below): past it the ABI is refused before a witness map is built for it. */
const MAX_ABI_FIELDS = 1 << 20;

/** Witness indices a Noir program makes public: `pub` parameters, then the return value. */
export interface PublicLayout {
  parameters: number[];
  returns: number[];
}

const mismatch = (why: string, details: Record<string, unknown>) =>
  new GavelError(
    'PUBLIC_INPUTS_MISMATCH',
    `the artifact's declared public inputs are not the ones its program makes public: ${why}`,
    { details },
  );

/** How many field elements a value of `type` takes (its witnesses, as noirc_abi lays them out). */
export function abiFieldCount(type: AbiType): number {
  const count = (t: AbiType): number => {
    switch (t?.kind) {
      case 'field':
      case 'boolean':
      case 'integer':
        return 1;
      case 'string':
        return t.length;
      case 'array':
        return t.length * count(t.type);
      case 'tuple':
        return t.fields.reduce((sum, f) => sum + count(f), 0);
      case 'struct':
        return t.fields.reduce((sum, f) => sum + count(f.type), 0);
      default:
        throw new GavelError(
          'INVALID_ARTIFACT',
          `invalid circuit artifact: unknown ABI type ${JSON.stringify(t)}`,
        );
    }
  };
  const n = count(type);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ABI_FIELDS)
    throw new GavelError('INVALID_ARTIFACT', `invalid circuit artifact: an ABI type of ${n} fields`);
  return n;
}

/** The layout the ABI claims: parameters take witnesses 0..n-1 in ABI order, the return value
 *  the k after them (noirc_abi's encoding); `witnesses` is n + k. */
export function abiPublicLayout(abi: CircuitArtifact['abi']): PublicLayout & { witnesses: number } {
  const parameters: number[] = [];
  let next = 0;
  for (const p of abi.parameters) {
    const n = abiFieldCount(p.type);
    if (p.visibility === 'public') for (let i = 0; i < n; i++) parameters.push(next + i);
    next += n;
    if (next > MAX_ABI_FIELDS)
      throw new GavelError('INVALID_ARTIFACT', 'invalid circuit artifact: ABI too large');
  }
  const ret = abi.return_type ? abiFieldCount(abi.return_type.abi_type) : 0;
  const returns: number[] = [];
  if (abi.return_type?.visibility === 'public') for (let i = 0; i < ret; i++) returns.push(next + i);
  return { parameters, returns, witnesses: next + ret };
}

/** The layout the ACIR defines, read with acvm_js (the decoder noir_js and bb.js agree with) over
 *  the witnesses the ABI accounts for; a public witness outside them is a mismatch. */
export function programPublicLayout(artifact: CircuitArtifact, witnesses: number): PublicLayout {
  const program = Buffer.from(artifact.bytecode, 'base64');
  const map: WitnessMap = new Map();
  for (let i = 0; i < witnesses; i++) map.set(i, '0x00');
  const read = (f: typeof getReturnWitness, what: string) => {
    try {
      return [...f(program, map).keys()].sort((a, b) => a - b);
    } catch (cause) {
      const message = String((cause as Error)?.message ?? cause);
      const outside = /witness (\d+)/i.exec(message);
      if (outside)
        throw mismatch(`the program makes witness ${outside[1]} public (${what}), which its ABI does not`, {
          witness: Number(outside[1]),
        });
      throw new GavelError(
        'INVALID_ARTIFACT',
        `invalid circuit artifact: cannot read its ${what}: ${message}`,
        {
          cause,
        },
      );
    }
  };
  return {
    parameters: read(getPublicParametersWitness, 'public parameters'),
    returns: read(getReturnWitness, 'return values'),
  };
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Refuses a Noir artifact whose ABI does not lay out the public inputs its ACIR proves. */
export function checkNoirPublicLayout(artifact: CircuitArtifact): void {
  const claimed = abiPublicLayout(artifact.abi);
  const actual = programPublicLayout(artifact, claimed.witnesses);
  if (!same(claimed.parameters, actual.parameters))
    throw mismatch(
      `the ABI makes witnesses [${claimed.parameters}] public parameters, the program [${actual.parameters}]`,
      { claimed: claimed.parameters, program: actual.parameters },
    );
  if (!same(claimed.returns, actual.returns))
    throw mismatch(
      `the ABI makes witnesses [${claimed.returns}] public return values, the program [${actual.returns}]`,
      {
        claimed: claimed.returns,
        program: actual.returns,
      },
    );
}

/** Refuses a circom artifact whose `publicInputs` list is not as long as the R1CS's public
 *  signals (outputs, then public inputs: what snarkjs puts in a proof). */
export async function checkCircomPublicLayout(artifact: CircomArtifact, r1cs: Uint8Array): Promise<void> {
  const info = await withSnarkjs((js) => js.r1cs.info({ type: 'mem', data: r1cs }));
  const nPublic = info.nOutputs + info.nPubInputs;
  if (nPublic !== artifact.publicInputs.length)
    throw mismatch(
      `publicInputs names ${artifact.publicInputs.length}, the R1CS has ${nPublic} public signals`,
      {
        claimed: artifact.publicInputs.length,
        program: nPublic,
      },
    );
}
