// The public inputs a proof of given inputs must carry: the `pub` parameters (and a public return
// value) flattened into fields in ABI order, as bb.js lays them out.
import type { Abi, AbiType, InputValue } from '@noir-lang/types';
import { FIELD_MODULUS, toFieldHex } from './fields.js';

/** A number as inputs and noir_js give it: bigint, number, decimal or 0x-hex, maybe negative
 *  (noir_js returns a negative signed value as "-0x…"). */
function toBigInt(value: unknown): bigint {
  if (typeof value === 'string' && value.startsWith('-')) return -BigInt(value.slice(1));
  return BigInt(value as string | number | bigint);
}

/**
 * The field a Noir integer becomes: an unsigned one as itself, a signed one as its two's complement
 * at its own bit width (-1: i8 → 0xff, i64 → 2^64 - 1), not as p - 1.
 */
export function integerField(value: unknown, sign: 'signed' | 'unsigned', width: number): bigint {
  const n = toBigInt(value);
  if (sign === 'signed' && n < 0n) return (1n << BigInt(width)) + n;
  return n;
}

function flatten(type: AbiType, value: unknown, out: bigint[]): void {
  switch (type.kind) {
    case 'field': {
      const n = toBigInt(value);
      out.push(((n % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS);
      return;
    }
    case 'integer':
      out.push(integerField(value, type.sign, type.width));
      return;
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
