// Small, strict readers for untrusted JSON (NATS messages): each failure names the field.
import { GavelError } from '../errors.js';

export class BadMessageError extends GavelError {
  constructor(message: string) {
    super('BAD_MESSAGE', message);
  }
}

export type Obj = Record<string, unknown>;

export function parseJson(data: Uint8Array | string, maxBytes: number): Obj {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > maxBytes)
    throw new BadMessageError(`message of ${size} bytes exceeds the ${maxBytes}-byte limit`);
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch {
    throw new BadMessageError('message is not valid JSON');
  }
  return obj(value, 'message');
}

export function obj(value: unknown, name: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BadMessageError(`${name} must be an object`);
  return value as Obj;
}

export function str(o: Obj, key: string, opts: { pattern?: RegExp; max?: number } = {}): string {
  const v = o[key];
  if (typeof v !== 'string') throw new BadMessageError(`${key} must be a string`);
  if (v.length > (opts.max ?? 256))
    throw new BadMessageError(`${key} is longer than ${opts.max ?? 256} characters`);
  if (opts.pattern && !opts.pattern.test(v)) throw new BadMessageError(`${key} is malformed`);
  return v;
}

export function int(o: Obj, key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new BadMessageError(`${key} must be an integer in ${min}..${max}`);
  }
  return v;
}

export function num(o: Obj, key: string, min = 0): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw new BadMessageError(`${key} must be a number ≥ ${min}`);
  return v;
}

/** A non-negative integer given as a decimal string (wei amounts, nonces). */
export function uintString(o: Obj, key: string, maxDigits = 78): bigint {
  return BigInt(str(o, key, { pattern: new RegExp(`^(0|[1-9][0-9]{0,${maxDigits - 1}})$`) }));
}

const UINT64_MAX = (1n << 64n) - 1n;

/** A uint64 (an EIP-712 `uint64` field such as a bid's nonce) given as a decimal string. */
export function uint64String(o: Obj, key: string): bigint {
  const n = uintString(o, key, 20);
  if (n > UINT64_MAX) throw new BadMessageError(`${key} must fit a uint64 (at most ${UINT64_MAX})`);
  return n;
}

export const HEX32 = /^0x[0-9a-fA-F]{64}$/;
export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
export const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
