// BN254 scalar-field values as bytes, hex and bigint.

export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** 32-byte big-endian encoding of a field element. */
export function fieldToBytes(value: bigint): Uint8Array {
  if (value < 0n || value >= FIELD_MODULUS)
    throw new RangeError(`value ${value} is not a BN254 field element`);
  return hexToBytes(`0x${value.toString(16).padStart(64, '0')}`);
}

export function bytesToHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** 0x-hex (any length up to 32 bytes) → 32 big-endian bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]*$/.test(clean) || clean.length > 64)
    throw new RangeError(`not a 32-byte hex field: ${hex}`);
  return new Uint8Array(Buffer.from(clean.padStart(64, '0'), 'hex'));
}

/** Splits concatenated 32-byte fields. */
export function splitFields(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 32) out.push(bytes.subarray(i, i + 32));
  return out;
}

/** Canonical 0x-hex (64 digits) of a field given as bigint, decimal or hex string. */
export function toFieldHex(value: bigint | string | number): string {
  const n = BigInt(value);
  return bytesToHex(fieldToBytes(n));
}
