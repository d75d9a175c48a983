// Deterministic JSON (sorted keys) and its keccak256: what signatures and hashes are computed over.
import { keccak256, toUtf8Bytes } from 'ethers';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** keccak256 of the canonical JSON of `value`, 0x-hex. */
export function hashJson(value: unknown): string {
  return keccak256(toUtf8Bytes(canonicalJson(value)));
}

/** The on-chain inputs hash of a job's batch: keccak256 of the canonical JSON of its items. */
export function inputsHash(items: unknown[]): string {
  return hashJson(items);
}
