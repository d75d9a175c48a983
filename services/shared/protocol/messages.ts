// The messages of the Gavel protocol and their parsers (every field checked; limits enforced).
import { PROOF_SYSTEMS, type ProofSystem } from '../proving/backend.js';
import { MAX_MIRRORS, mirrorUrl } from './inputs-availability.js';
import type { Signed } from './signed-message.js';
import {
  ADDRESS,
  BadMessageError,
  HEX32,
  int,
  num,
  type Obj,
  obj,
  parseJson,
  SIGNATURE,
  str,
  uint64String,
  uintString,
} from './validate.js';

export const MAX_SMALL_MESSAGE = 8 * 1024;
export const MAX_RESULT_MESSAGE = 512 * 1024;

export type Rule = 'SECOND_PRICE' | 'FIRST_PRICE';

export interface Announcement {
  jobId: string;
  attempt: number;
  round: number;
  circuitId: string;
  /** The circuit's proof system: a prover bids only on the systems it proves. */
  proofSystem: ProofSystem;
  vkHash: string;
  gates: number;
  dyadic: number;
  batchSize: number;
  /** Unix seconds: proofs must be verified and settled before this. */
  deadline: number;
  reserveWei: string;
  collateralWei: string;
  /** Epoch milliseconds (wall clock) when bidding closes. */
  closesAt: number;
  /** Chain time (Unix seconds, block time) by which the winner's assignment is mined: a bid must
   *  stay valid until then (its expiry), and its delivery time must fit between then and the
   *  deadline, or the chain refuses the assignment. */
  assignBy: number;
  rule: Rule;
  inputsHash: string;
  coordinatorUrl: string;
  /** Watchtowers that signed they hold the inputs (where they live besides the coordinator). */
  mirrors: Mirror[];
}

/** A circuit just registered: provers prepare it (VK, verifier check) before its first auction. */
export interface CircuitNotice {
  circuitId: string;
  proofSystem: ProofSystem;
  vkHash: string;
  /** The on-chain verifier registered for the circuit's VK (what its escrows pay through). */
  verifier: string;
  dyadic: number;
  coordinatorUrl: string;
}

export interface BidBody {
  jobId: string;
  attempt: number;
  price: string;
  prover: string;
  expiry: number;
  nonce: string;
  deliverySeconds: number;
}

export interface BidRequest {
  bid: BidBody;
  signature: string;
}

/** The coordinator's answer to a hello. */
export interface HelloReply {
  ok: boolean;
  reason?: string;
}

export interface BidReply {
  accepted: boolean;
  code?: string;
  reason?: string;
  /** On an accepted bid: the coordinator's signed receipt (EIP-712 BidReceipt over the bid's
   *  digest, AuctionAudit's domain), the bidder's evidence if the bid is left out of the
   *  attempt's committed transcript. */
  receipt?: { signer: string; signature: string; bidDigest: string };
}

export interface HelloBody {
  prover: string;
  name: string;
  backend: string;
  /** The proof systems this prover proves (absent: UltraHonk only, as before PLONK existed). */
  proofSystems?: ProofSystem[];
  /** Its PLONK speed (PLONK gates per second), when it proves PLONK (absent: 0). */
  plonkGatesPerSec?: number;
  threads: number;
  maxDyadic: number;
  gatesPerSec: number;
  at: number;
}

export interface Award {
  jobId: string;
  attempt: number;
  prover: string;
  priceWei: string;
  circuitId: string;
  batchSize: number;
  deadline: number;
  inputsHash: string;
  coordinatorUrl: string;
  /** Watchtowers that signed they hold the inputs: where the prover asks when the coordinator
   *  does not serve the committed inputs. */
  mirrors: Mirror[];
}

export interface Mirror {
  url: string;
  watchtower: string;
}

export interface HeartbeatBody {
  jobId: string;
  attempt: number;
  prover: string;
  done: number;
  total: number;
  at: number;
}

export interface ResultBody {
  jobId: string;
  attempt: number;
  prover: string;
  itemIndex: number;
  /** base64 of the proof bytes */
  proof: string;
  publicInputs: string[];
  /** The prover's EIP-712 Result signature over this proof: on-chain evidence if it is invalid. */
  resultSignature: string;
}

export function parseBidRequest(data: Uint8Array): BidRequest {
  const m = parseJson(data, MAX_SMALL_MESSAGE);
  const b = obj(m.bid, 'bid');
  return {
    bid: {
      jobId: str(b, 'jobId', { pattern: HEX32 }).toLowerCase(),
      attempt: int(b, 'attempt', 0, 1_000_000),
      price: uintString(b, 'price').toString(),
      prover: str(b, 'prover', { pattern: ADDRESS }),
      expiry: int(b, 'expiry', 0, 2 ** 40),
      nonce: uint64String(b, 'nonce').toString(),
      deliverySeconds: int(b, 'deliverySeconds', 1, 2 ** 32 - 1),
    },
    signature: str(m, 'signature', { pattern: SIGNATURE }),
  };
}

/** A bid receipt a prover files with a watchtower: its signed bid and the coordinator's receipt. */
export interface ReceiptFiling extends BidRequest {
  receipt: { signer: string; signature: string; bidDigest: string };
}

export function parseReceiptFiling(data: Uint8Array): ReceiptFiling {
  const request = parseBidRequest(data);
  const r = obj(parseJson(data, MAX_SMALL_MESSAGE).receipt, 'receipt');
  return {
    ...request,
    receipt: {
      signer: str(r, 'signer', { pattern: ADDRESS }),
      signature: str(r, 'signature', { pattern: SIGNATURE }),
      bidDigest: str(r, 'bidDigest', { pattern: HEX32 }).toLowerCase(),
    },
  };
}

function signedEnvelope(m: Obj): { body: Obj; signer: string; signature: string } {
  return {
    body: obj(m.body, 'body'),
    signer: str(m, 'signer', { pattern: ADDRESS }),
    signature: str(m, 'signature', { pattern: SIGNATURE }),
  };
}

export function parseHello(data: Uint8Array): Signed<HelloBody> {
  const { body, signer, signature } = signedEnvelope(parseJson(data, MAX_SMALL_MESSAGE));
  return {
    signer,
    signature,
    body: {
      prover: str(body, 'prover', { pattern: ADDRESS }),
      name: str(body, 'name', { max: 64 }),
      backend: str(body, 'backend', { max: 32 }),
      // Optional fields only when sent: the signature covers exactly the fields the prover signed.
      ...(body.proofSystems === undefined ? {} : { proofSystems: proofSystemsField(body) }),
      ...(body.plonkGatesPerSec === undefined ? {} : { plonkGatesPerSec: num(body, 'plonkGatesPerSec') }),
      threads: int(body, 'threads', 1, 1024),
      maxDyadic: int(body, 'maxDyadic', 1, 2 ** 30),
      gatesPerSec: num(body, 'gatesPerSec'),
      at: int(body, 'at'),
    },
  };
}

/** The fields naming an award (job, attempt, prover) that heartbeats and results share. */
function awardFields(body: Obj) {
  return {
    jobId: str(body, 'jobId', { pattern: HEX32 }).toLowerCase(),
    attempt: int(body, 'attempt', 0, 1_000_000),
    prover: str(body, 'prover', { pattern: ADDRESS }),
  };
}

export function parseHeartbeat(data: Uint8Array): Signed<HeartbeatBody> {
  const { body, signer, signature } = signedEnvelope(parseJson(data, MAX_SMALL_MESSAGE));
  return {
    signer,
    signature,
    body: {
      ...awardFields(body),
      done: int(body, 'done', 0, 100_000),
      total: int(body, 'total', 1, 100_000),
      at: int(body, 'at'),
    },
  };
}

export function parseResult(data: Uint8Array): Signed<ResultBody> {
  const { body, signer, signature } = signedEnvelope(parseJson(data, MAX_RESULT_MESSAGE));
  const inputs = body.publicInputs;
  if (
    !Array.isArray(inputs) ||
    inputs.length > 4096 ||
    !inputs.every((x) => typeof x === 'string' && HEX32.test(x))
  ) {
    throw new BadMessageError('publicInputs must be an array of 0x-hex 32-byte fields');
  }
  return {
    signer,
    signature,
    body: {
      ...awardFields(body),
      itemIndex: int(body, 'itemIndex', 0, 100_000),
      proof: str(body, 'proof', { pattern: /^[A-Za-z0-9+/=]+$/, max: MAX_RESULT_MESSAGE }),
      publicInputs: inputs as string[],
      resultSignature: str(body, 'resultSignature', { pattern: SIGNATURE }),
    },
  };
}

function proofSystemField(m: Obj, key: string): ProofSystem {
  const value = str(m, key, { max: 16 });
  if (!(PROOF_SYSTEMS as readonly string[]).includes(value)) throw new BadMessageError(`${key} is unknown`);
  return value as ProofSystem;
}

function proofSystemsField(m: Obj): ProofSystem[] {
  const list = m.proofSystems;
  if (!Array.isArray(list) || list.length === 0 || list.length > PROOF_SYSTEMS.length)
    throw new BadMessageError('proofSystems must list the proof systems proved');
  return list.map((_, i) => proofSystemField(list as unknown as Obj, String(i)));
}

export function parseAnnouncement(data: Uint8Array): Announcement {
  const m = parseJson(data, MAX_SMALL_MESSAGE);
  const rule = str(m, 'rule');
  if (rule !== 'SECOND_PRICE' && rule !== 'FIRST_PRICE') throw new BadMessageError('rule is unknown');
  return {
    jobId: str(m, 'jobId', { pattern: HEX32 }).toLowerCase(),
    attempt: int(m, 'attempt'),
    round: int(m, 'round'),
    circuitId: str(m, 'circuitId', { pattern: HEX32 }),
    proofSystem: proofSystemField(m, 'proofSystem'),
    vkHash: str(m, 'vkHash', { pattern: HEX32 }),
    gates: int(m, 'gates'),
    dyadic: int(m, 'dyadic'),
    batchSize: int(m, 'batchSize', 1),
    deadline: int(m, 'deadline'),
    reserveWei: uintString(m, 'reserveWei').toString(),
    collateralWei: uintString(m, 'collateralWei').toString(),
    closesAt: int(m, 'closesAt'),
    assignBy: int(m, 'assignBy'),
    rule,
    inputsHash: str(m, 'inputsHash', { pattern: HEX32 }),
    coordinatorUrl: str(m, 'coordinatorUrl', { max: 512 }),
    mirrors: mirrorsOf(m),
  };
}

export function parseCircuitNotice(data: Uint8Array): CircuitNotice {
  const m = parseJson(data, MAX_SMALL_MESSAGE);
  return {
    circuitId: str(m, 'circuitId', { pattern: HEX32 }),
    proofSystem: proofSystemField(m, 'proofSystem'),
    vkHash: str(m, 'vkHash', { pattern: HEX32 }),
    verifier: str(m, 'verifier', { pattern: ADDRESS }),
    dyadic: int(m, 'dyadic'),
    coordinatorUrl: str(m, 'coordinatorUrl', { max: 512 }),
  };
}

function mirrorsOf(m: Obj): Mirror[] {
  if (m.mirrors === undefined) return [];
  if (!Array.isArray(m.mirrors) || m.mirrors.length > MAX_MIRRORS)
    throw new BadMessageError(`mirrors must be an array of at most ${MAX_MIRRORS}`);
  return m.mirrors.map((raw, i) => {
    const o = obj(raw, `mirrors[${i}]`);
    return { url: mirrorUrl(o, 'url'), watchtower: str(o, 'watchtower', { pattern: ADDRESS }).toLowerCase() };
  });
}

/** An award, signed by the coordinator that decided it (a prover checks its role on-chain). */
export function parseAward(data: Uint8Array): Signed<Award> {
  const { body, signer, signature } = signedEnvelope(parseJson(data, MAX_SMALL_MESSAGE));
  return { signer, signature, body: awardBody(body) };
}

function awardBody(m: Obj): Award {
  return {
    jobId: str(m, 'jobId', { pattern: HEX32 }).toLowerCase(),
    attempt: int(m, 'attempt'),
    prover: str(m, 'prover', { pattern: ADDRESS }),
    priceWei: uintString(m, 'priceWei').toString(),
    circuitId: str(m, 'circuitId', { pattern: HEX32 }),
    batchSize: int(m, 'batchSize', 1),
    deadline: int(m, 'deadline'),
    inputsHash: str(m, 'inputsHash', { pattern: HEX32 }),
    coordinatorUrl: str(m, 'coordinatorUrl', { max: 512 }),
    mirrors: mirrorsOf(m),
  };
}

export function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** The longest delivery time a bid on `a` may sign: from the latest time it may be assigned (its
 *  expiry) to the job's deadline, both chain time; the chain refuses one past it. */
export function latestDeliverySeconds(a: Pick<Announcement, 'assignBy' | 'deadline'>): number {
  return a.deadline - a.assignBy;
}
