// A sparse Poseidon2 Merkle tree of accounts, matching circuits/batch_transfer_core.
// Untouched slots hold the empty account (owner 0, balance 0, nonce 0), so a depth-20 tree costs
// only the leaves that were set.
import type { Poseidon2 } from './poseidon2.js';

export interface Account {
  owner: bigint;
  balance: bigint;
  nonce: bigint;
}

export const EMPTY_ACCOUNT: Account = Object.freeze({ owner: 0n, balance: 0n, nonce: 0n });

export class AccountTree {
  readonly depth: number;
  private readonly hasher: Poseidon2;
  private readonly accounts = new Map<number, Account>();
  /** nodes[level] maps index at that level → hash; missing entries are empty subtrees. */
  private readonly nodes: Map<number, bigint>[];
  private readonly empty: bigint[];

  constructor(depth: number, hasher: Poseidon2) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32)
      throw new RangeError(`tree depth ${depth} not in 1..32`);
    this.depth = depth;
    this.hasher = hasher;
    this.nodes = Array.from({ length: depth + 1 }, () => new Map<number, bigint>());
    this.empty = [hasher.leaf(0n, 0n, 0n)];
    for (let i = 1; i <= depth; i++) {
      const below = this.empty[i - 1] as bigint;
      this.empty.push(hasher.node(below, below));
    }
  }

  get capacity(): number {
    return 2 ** this.depth;
  }

  account(index: number): Account {
    this.checkIndex(index);
    return this.accounts.get(index) ?? EMPTY_ACCOUNT;
  }

  set(index: number, account: Account): void {
    this.checkIndex(index);
    this.accounts.set(index, { ...account });
    let hash = this.hasher.leaf(account.owner, account.balance, account.nonce);
    let i = index;
    for (let level = 0; level <= this.depth; level++) {
      (this.nodes[level] as Map<number, bigint>).set(i, hash);
      if (level === this.depth) break;
      const sibling = this.nodeAt(level, i ^ 1);
      hash = i % 2 === 0 ? this.hasher.node(hash, sibling) : this.hasher.node(sibling, hash);
      i = Math.floor(i / 2);
    }
  }

  root(): bigint {
    return this.nodeAt(this.depth, 0);
  }

  /** Sibling hashes from the leaf up to (not including) the root. */
  siblings(index: number): bigint[] {
    this.checkIndex(index);
    const out: bigint[] = [];
    let i = index;
    for (let level = 0; level < this.depth; level++) {
      out.push(this.nodeAt(level, i ^ 1));
      i = Math.floor(i / 2);
    }
    return out;
  }

  private nodeAt(level: number, index: number): bigint {
    return (this.nodes[level] as Map<number, bigint>).get(index) ?? (this.empty[level] as bigint);
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`account index ${index} outside a tree of ${this.capacity} accounts`);
    }
  }
}
