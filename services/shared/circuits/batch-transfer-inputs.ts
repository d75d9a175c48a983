// Builds valid inputs for the batch_transfer circuits: Merkle paths, updated leaves and the public
// inputs (old root, new root, batch hash) that a correct proof must carry.
import type { InputMap } from '@noir-lang/types';
import { InvalidInputsError } from '../errors.js';
import { type AnyCircuitArtifact, isCircom } from '../proving/circuit-artifact.js';
import { toFieldHex } from '../proving/fields.js';
import { type Account, AccountTree } from './account-tree.js';
import { Poseidon2 } from './poseidon2.js';

export interface TransferSpec {
  from: number;
  to: number;
  amount: bigint;
}

export interface BatchShape {
  depth: number;
  batchSize: number;
}

export interface BuiltBatch {
  inputs: InputMap;
  /** [old_root, new_root, batch_hash] as 0x-hex fields, in the circuit's order. */
  publicInputs: string[];
}

const MAX_BALANCE = (1n << 64n) - 1n;

/** Reads tree depth and batch size from a batch_transfer artifact (a Noir ABI, or the shape a
 *  circom batch_transfer records). */
export function batchShape(artifact: AnyCircuitArtifact): BatchShape {
  if (isCircom(artifact)) {
    if (!artifact.batch)
      throw new InvalidInputsError(`circuit ${artifact.name} is not a batch_transfer circuit`);
    return artifact.batch;
  }
  const transfers = artifact.abi.parameters.find((p) => p.name === 'transfers')?.type;
  if (transfers?.kind !== 'array' || transfers.type.kind !== 'struct') {
    throw new InvalidInputsError(`circuit ${artifact.name} is not a batch_transfer circuit`);
  }
  const sender = transfers.type.fields.find((f) => f.name === 'sender')?.type;
  const siblings =
    sender?.kind === 'struct' ? sender.fields.find((f) => f.name === 'siblings')?.type : undefined;
  if (siblings?.kind !== 'array')
    throw new InvalidInputsError(`circuit ${artifact.name} has no Merkle siblings`);
  return { depth: siblings.length, batchSize: transfers.length };
}

function accountInput(account: Account, siblings: bigint[]) {
  return {
    owner: toFieldHex(account.owner),
    balance: toFieldHex(account.balance),
    nonce: toFieldHex(account.nonce),
    siblings: siblings.map(toFieldHex),
  };
}

/**
 * Applies `transfers` to `tree` (which is updated) and returns the circuit inputs proving it.
 * Throws InvalidInputsError, before any proving, for a wrong count, unknown account, self-transfer,
 * overdraft or balance overflow.
 */
export function buildBatch(
  tree: AccountTree,
  hasher: Poseidon2,
  shape: BatchShape,
  transfers: TransferSpec[],
): BuiltBatch {
  if (tree.depth !== shape.depth) {
    throw new InvalidInputsError(
      `tree depth ${tree.depth} does not match the circuit's depth ${shape.depth}`,
    );
  }
  if (transfers.length !== shape.batchSize) {
    throw new InvalidInputsError(`a batch has exactly ${shape.batchSize} transfers, got ${transfers.length}`);
  }
  const oldRoot = tree.root();
  let batchHash = 0n;
  const items = transfers.map((t, i) => {
    const where = `transfer ${i} (${t.from} → ${t.to})`;
    for (const index of [t.from, t.to]) {
      if (!Number.isInteger(index) || index < 0 || index >= tree.capacity) {
        throw new InvalidInputsError(`${where}: account ${index} outside the tree (0..${tree.capacity - 1})`);
      }
    }
    if (t.from === t.to) throw new InvalidInputsError(`${where}: sender and receiver must differ`);
    if (t.amount < 0n || t.amount > MAX_BALANCE)
      throw new InvalidInputsError(`${where}: amount ${t.amount} not in 0..2^64-1`);
    const sender = tree.account(t.from);
    if (t.amount > sender.balance) {
      throw new InvalidInputsError(
        `${where}: overdraft, account ${t.from} has ${sender.balance} and sends ${t.amount}`,
      );
    }
    const senderPath = tree.siblings(t.from);
    tree.set(t.from, { ...sender, balance: sender.balance - t.amount, nonce: sender.nonce + 1n });
    const receiver = tree.account(t.to);
    if (receiver.balance + t.amount > MAX_BALANCE) {
      throw new InvalidInputsError(`${where}: account ${t.to} would exceed the 2^64-1 balance limit`);
    }
    const receiverPath = tree.siblings(t.to);
    tree.set(t.to, { ...receiver, balance: receiver.balance + t.amount });
    batchHash = hasher.batchStep(batchHash, t.from, t.to, sender.nonce, t.amount);
    return {
      from: toFieldHex(t.from),
      to: toFieldHex(t.to),
      amount: toFieldHex(t.amount),
      nonce: toFieldHex(sender.nonce),
      sender: accountInput(sender, senderPath),
      receiver: accountInput(receiver, receiverPath),
    };
  });
  const publicInputs = [oldRoot, tree.root(), batchHash].map(toFieldHex);
  return {
    inputs: {
      old_root: publicInputs[0] as string,
      new_root: publicInputs[1] as string,
      batch_hash: publicInputs[2] as string,
      transfers: items,
    },
    publicInputs,
  };
}

type NoirTransfer = {
  from: string;
  to: string;
  amount: string;
  nonce: string;
  sender: ReturnType<typeof accountInput>;
  receiver: ReturnType<typeof accountInput>;
};

/** The same batch as circom's batch_transfer_plonk takes it: one array per field of the Noir
 *  struct (`sender_siblings[i]` is transfer i's sender path). */
export function circomBatchInputs(inputs: InputMap): Record<string, unknown> {
  const transfers = inputs.transfers as unknown as NoirTransfer[];
  const each = <T>(pick: (t: NoirTransfer) => T) => transfers.map(pick);
  return {
    old_root: inputs.old_root,
    new_root: inputs.new_root,
    batch_hash: inputs.batch_hash,
    from: each((t) => t.from),
    to: each((t) => t.to),
    amount: each((t) => t.amount),
    nonce: each((t) => t.nonce),
    sender_owner: each((t) => t.sender.owner),
    sender_balance: each((t) => t.sender.balance),
    sender_nonce: each((t) => t.sender.nonce),
    sender_siblings: each((t) => t.sender.siblings),
    receiver_owner: each((t) => t.receiver.owner),
    receiver_balance: each((t) => t.receiver.balance),
    receiver_nonce: each((t) => t.receiver.nonce),
    receiver_siblings: each((t) => t.receiver.siblings),
  };
}

/** A deterministic pseudo-random source (mulberry32) so demo and test batches are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Funds `accounts` accounts (owner = index + 1) with `balance` each. */
export function fundAccounts(tree: AccountTree, accounts: number, balance: bigint): void {
  for (let i = 0; i < Math.min(accounts, tree.capacity); i++)
    tree.set(i, { owner: BigInt(i + 1), balance, nonce: 0n });
}

/** Random valid transfers between the first `accounts` accounts, never overdrawing. */
export function randomTransfers(
  tree: AccountTree,
  count: number,
  accounts: number,
  random: () => number,
): TransferSpec[] {
  const n = Math.min(accounts, tree.capacity);
  const balances = new Map<number, bigint>();
  const out: TransferSpec[] = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor(random() * n);
    const to = (from + 1 + Math.floor(random() * (n - 1))) % n;
    const balance = balances.get(from) ?? tree.account(from).balance;
    const amount =
      balance === 0n ? 0n : BigInt(Math.floor(random() * Number(balance < 1000n ? balance : 1000n)));
    balances.set(from, balance - amount);
    balances.set(to, (balances.get(to) ?? tree.account(to).balance) + amount);
    out.push({ from, to, amount });
  }
  return out;
}

/** `items` consecutive valid batches of random transfers over one freshly funded account tree. */
export async function generateBatches(
  artifact: AnyCircuitArtifact,
  items: number,
  seed: number,
): Promise<BuiltBatch[]> {
  const shape = batchShape(artifact);
  const hasher = await Poseidon2.create();
  const tree = new AccountTree(shape.depth, hasher);
  const accounts = Math.min(tree.capacity, 16);
  fundAccounts(tree, accounts, 1_000_000n);
  const rnd = seededRandom(seed);
  const batches = Array.from({ length: items }, () =>
    buildBatch(tree, hasher, shape, randomTransfers(tree, shape.batchSize, accounts, rnd)),
  );
  if (!isCircom(artifact)) return batches;
  return batches.map((b) => ({ ...b, inputs: circomBatchInputs(b.inputs) as InputMap }));
}
