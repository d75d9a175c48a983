// The public inputs a proof of given inputs must carry: the `pub` parameters (and a public return
// value) flattened into fields in ABI order, as bb.js lays them out.
import type { Abi, AbiType, InputValue } from '@noir-lang/types';
import { FIELD_MODULUS, toFieldHex } from './fields.js';

function flatten(type: AbiType, value: unknown, out: bigint[]): void {
  switch (type.kind) {
    case 'field':
    case 'integer': {
      const n = BigInt(value as string | number | bigint);
      out.push(((n % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS);
      return;
    }
    case 'boolean':
      out.push(value === true || value === 'true' || value === 1 || value === '1' ? 1n : 0n);
      return;
    case 'string':
      for (const ch of String(value)) out.push(BigInt(ch.charCodeAt(0)));
      return;
    case 'array':
      for (const item of value as unknown[]) flatten(type.type, item, out);
      return;
    case 'tuple':
      type.fields.forEach((t, i) => {
        flatten(t, (value as unknown[])[i], out);
      });
      return;
    case 'struct':
      for (const f of type.fields) flatten(f.type, (value as Record<string, unknown>)[f.name], out);
      return;
    default: {
      const never: never = type;
      throw new Error(`unsupported ABI type ${JSON.stringify(never)}`);
    }
  }
}

/** 0x-hex public inputs implied by `inputs` (already checked against the ABI) and the return value. */
export function publicInputsOf(
  abi: Abi,
  inputs: Record<string, unknown>,
  returnValue?: InputValue,
): string[] {
  const out: bigint[] = [];
  for (const p of abi.parameters) if (p.visibility === 'public') flatten(p.type, inputs[p.name], out);
  if (abi.return_type && abi.return_type.visibility === 'public' && returnValue !== undefined) {
    flatten(abi.return_type.abi_type, returnValue, out);
  }
  return out.map(toFieldHex);
}
