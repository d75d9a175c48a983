// Checks proving inputs against a circuit's ABI before any witness solving, naming the exact path
// of every problem (missing field, unknown field, wrong type, value out of range).
import type { Abi, AbiType } from '@noir-lang/types';
import { InvalidInputsError } from '../errors.js';
import { FIELD_MODULUS } from './fields.js';

type Problem = string;

function asBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|-?[0-9]+)$/.test(value)) return BigInt(value);
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function check(type: AbiType, value: unknown, path: string, problems: Problem[]): void {
  if (problems.length >= 10) return;
  switch (type.kind) {
    case 'field': {
      const n = asBigInt(value);
      if (n === undefined)
        problems.push(`${path}: expected a field element (integer or 0x-hex), got ${describe(value)}`);
      else if (n < 0n || n >= FIELD_MODULUS) problems.push(`${path}: ${n} is outside the BN254 field`);
      return;
    }
    case 'integer': {
      const n = asBigInt(value);
      const lo = type.sign === 'signed' ? -(1n << BigInt(type.width - 1)) : 0n;
      const hi =
        type.sign === 'signed' ? (1n << BigInt(type.width - 1)) - 1n : (1n << BigInt(type.width)) - 1n;
      if (n === undefined) problems.push(`${path}: expected an integer, got ${describe(value)}`);
      else if (n < lo || n > hi)
        problems.push(`${path}: ${n} does not fit ${type.sign === 'signed' ? 'i' : 'u'}${type.width}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean')
        problems.push(`${path}: expected true or false, got ${describe(value)}`);
      return;
    case 'string':
      if (typeof value !== 'string' || value.length !== type.length) {
        problems.push(`${path}: expected a string of length ${type.length}, got ${describe(value)}`);
      }
      return;
    case 'array':
      if (!Array.isArray(value) || value.length !== type.length) {
        problems.push(`${path}: expected an array of ${type.length}, got ${describe(value)}`);
        return;
      }
      value.forEach((item, i) => {
        check(type.type, item, `${path}[${i}]`, problems);
      });
      return;
    case 'tuple':
      if (!Array.isArray(value) || value.length !== type.fields.length) {
        problems.push(`${path}: expected a tuple of ${type.fields.length}, got ${describe(value)}`);
        return;
      }
      type.fields.forEach((t, i) => {
        check(t, value[i], `${path}.${i}`, problems);
      });
      return;
    case 'struct':
      checkObject(
        type.fields.map((f) => ({ name: f.name, type: f.type })),
        value,
        path,
        problems,
      );
      return;
    default: {
      const never: never = type;
      problems.push(`${path}: unsupported ABI type ${JSON.stringify(never)}`);
    }
  }
}

function checkObject(
  fields: { name: string; type: AbiType }[],
  value: unknown,
  path: string,
  problems: Problem[],
) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path || 'inputs'}: expected an object, got ${describe(value)}`);
    return;
  }
  const obj = value as Record<string, unknown>;
  const prefix = path ? `${path}.` : '';
  for (const f of fields) {
    if (!(f.name in obj)) problems.push(`${prefix}${f.name}: missing`);
    else check(f.type, obj[f.name], `${prefix}${f.name}`, problems);
  }
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(obj))
    if (!known.has(key)) problems.push(`${prefix}${key}: not a parameter of the circuit`);
}

/** Throws InvalidInputsError listing (up to 10) problems when `inputs` do not fit `abi`. */
export function assertInputsMatchAbi(abi: Abi, inputs: unknown): void {
  const problems: Problem[] = [];
  checkObject(
    abi.parameters.map((p) => ({ name: p.name, type: p.type })),
    inputs,
    '',
    problems,
  );
  if (problems.length > 0) {
    throw new InvalidInputsError(`inputs do not match the circuit: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}
