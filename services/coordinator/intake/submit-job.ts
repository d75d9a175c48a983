// Job intake: a job is accepted only when its escrow is open on-chain with matching terms (circuit,
// verifier, inputs, rule, and the public inputs its items imply), every batch item solves the
// circuit, and as many watchtowers as the requester required have signed that they hold its inputs;
// then it is stored and its first auction scheduled.
import type { ChainTime } from '../../shared/chain/chain-clock.js';
import type { GavelContracts, OnChainJob } from '../../shared/chain/gavel-contracts.js';
import { commitPublicInputs } from '../../shared/chain/public-inputs-commitment.js';
import { submitTermsText } from '../../shared/client/coordinator-client.js';
import type { db, PrismaClient } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import { attestationDomain } from '../../shared/protocol/attestation.js';
import { inputsHash } from '../../shared/protocol/canonical-json.js';
import { checkAvailability, type SignedInputsHeld } from '../../shared/protocol/inputs-availability.js';
import { requestSigner } from '../../shared/protocol/request-auth.js';
import { itemPublicInputs } from '../../shared/proving/item-public-inputs.js';
import type { CoordinatorConfig } from '../config.js';
import { scheduleRound } from '../lifecycle/auction-transitions.js';
import { openJob } from '../lifecycle/job-transitions.js';
import { artifactOf, findCircuit } from './circuit-store.js';

export interface SubmitJobRequest {
  jobId: string;
  circuitId: string;
  items: Record<string, unknown>[];
  rule?: 'SECOND_PRICE' | 'FIRST_PRICE';
  /** Anyone may read the inputs (default: only the requester and the assigned prover). */
  public?: boolean;
  /** The requester's signature of the job's terms (submitTerms). */
  signature?: string;
  /** Watchtowers that hold the inputs, signed: the job is auctioned only with `required` of them. */
  availability?: { required: number; attestations: SignedInputsHeld[] };
}

export interface SubmittedJob {
  jobId: string;
  status: string;
  created: boolean;
}

export interface IntakeDeps {
  prisma: PrismaClient;
  chain: GavelContracts;
  config: CoordinatorConfig;
  /** The deadline is chain time: judged by the chain's clock. */
  clock: { chain: ChainTime };
}

/** The on-chain escrow of `jobId`, checked to commit to this circuit and these inputs. */
async function checkedEscrow(
  chain: GavelContracts,
  jobId: string,
  circuit: db.Circuit,
  hash: string,
  { items, rule }: { items: number; rule: string },
) {
  const onChain = await chain.job(jobId);
  if (onChain.status === 'None') {
    throw new GavelError(
      'ESCROW_NOT_FOUND',
      `job ${jobId} has no escrow on-chain: open it with Market.openJob first`,
    );
  }
  const mismatches: string[] = [];
  if (onChain.status !== 'Open') mismatches.push(`on-chain status is ${onChain.status}, not Open`);
  if (onChain.vkHash.toLowerCase() !== circuit.vkHash.toLowerCase())
    mismatches.push(`vkHash ${onChain.vkHash} ≠ ${circuit.vkHash}`);
  if (onChain.inputsHash.toLowerCase() !== hash.toLowerCase())
    mismatches.push(`inputsHash ${onChain.inputsHash} ≠ ${hash}`);
  if (onChain.verifier.toLowerCase() !== (circuit.verifier ?? '').toLowerCase())
    mismatches.push(`verifier ${onChain.verifier} ≠ ${circuit.verifier}`);
  if (onChain.items !== items) mismatches.push(`items ${onChain.items} ≠ ${items}`);
  if (onChain.rule !== rule) mismatches.push(`rule ${onChain.rule} ≠ ${rule}`);
  if (mismatches.length > 0) {
    const message = `escrow of job ${jobId} does not match: ${mismatches.join('; ')}`;
    throw new GavelError('ESCROW_MISMATCH', message, { details: { mismatches } });
  }
  return onChain;
}

function checkDeadline(onChain: OnChainJob, config: CoordinatorConfig, chain: ChainTime): Date {
  const deadlineMs = onChain.deadline * 1000;
  const needed = config.auctionWindowMs + config.settleMarginMs;
  if (deadlineMs < chain.nowSeconds() * 1000 + needed) {
    throw new GavelError(
      'PAST_DEADLINE',
      `deadline ${new Date(deadlineMs).toISOString()} leaves no time to auction, prove and settle ` +
        `(needs at least ${needed} ms from now)`,
    );
  }
  return new Date(deadlineMs);
}

/** Solves every item once (unsatisfiable inputs go back to the requester, not to auction) and
 *  checks the public inputs they imply are the ones the escrow committed to. */
async function solveItems(circuit: db.Circuit, items: Record<string, unknown>[], onChain: OnChainJob) {
  const publicInputs = await itemPublicInputs(artifactOf(circuit), items);
  const root = commitPublicInputs(publicInputs).root;
  if (root.toLowerCase() !== onChain.publicInputsRoot.toLowerCase()) {
    throw new GavelError(
      'ESCROW_MISMATCH',
      `the escrow commits to public inputs (root ${onChain.publicInputsRoot}) other than these items imply (${root})`,
    );
  }
  return items.map((inputs, index) => ({ index, inputs, publicInputs: publicInputs[index] ?? [] }));
}

export async function submitJob(deps: IntakeDeps, req: SubmitJobRequest): Promise<SubmittedJob> {
  const { prisma, chain, config } = deps;
  const jobId = req.jobId.toLowerCase();
  if (req.items.length === 0 || req.items.length > config.maxBatchItems) {
    const message = `a job has 1..${config.maxBatchItems} batch items, got ${req.items.length}`;
    throw new GavelError('TOO_MANY_ITEMS', message);
  }
  const circuit = await findCircuit(prisma, req.circuitId);
  const hash = inputsHash(req.items);
  const existing = await prisma.job.findUnique({ where: { id: jobId } });
  if (existing) {
    if (existing.inputsHash !== hash)
      throw new GavelError('JOB_EXISTS', `job ${jobId} exists with other inputs`);
    return { jobId, status: existing.status, created: false };
  }
  const rule = req.rule ?? 'SECOND_PRICE';
  const onChain = await checkedEscrow(chain, jobId, circuit, hash, { items: req.items.length, rule });
  const deadline = checkDeadline(onChain, config, deps.clock.chain);
  const inputsPublic = req.public === true;
  const mirrorsRequired = req.availability?.required ?? 0;
  const terms = submitTermsText({
    jobId,
    circuitId: circuit.id,
    rule,
    inputsHash: hash,
    public: inputsPublic,
    mirrorsRequired,
  });
  const signer = requestSigner('submit job', terms, req.signature);
  if (signer !== onChain.requester.toLowerCase()) {
    throw new GavelError(
      'NOT_REQUESTER',
      `the terms are signed by ${signer}, not by the requester ${onChain.requester}`,
    );
  }
  // Checked before the job is stored: it is never auctioned without the mirrors it requires.
  const { chainId, market } = chain.deployment;
  const mirrors = req.availability
    ? checkAvailability(
        attestationDomain(chainId, market),
        jobId,
        hash,
        mirrorsRequired,
        req.availability.attestations,
      )
    : [];
  const items = await solveItems(circuit, req.items, onChain);
  await prisma.$transaction(async (tx) => {
    await openJob(tx, {
      id: jobId,
      circuitId: circuit.id,
      requester: onChain.requester,
      rule,
      reserveWei: onChain.reserve.toString(),
      collateralWei: onChain.collateral.toString(),
      deadline,
      inputsHash: hash,
      inputsPublic,
      mirrorsRequired,
      mirrors,
      items,
    });
    const first = { jobId, attempt: 0, round: 0, rule, opensAt: new Date() };
    await scheduleRound(tx, { ...first, auctionWindowMs: config.auctionWindowMs });
  });
  return { jobId, status: 'AUCTIONING', created: true };
}
