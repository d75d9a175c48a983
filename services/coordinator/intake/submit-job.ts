// Job intake: a job is accepted only when its escrow is open on-chain with matching terms and
// every batch item solves the circuit; then it is stored and its first auction scheduled.
import type { GavelContracts, OnChainJob } from '../../shared/chain/gavel-contracts.js';
import { submitTermsText } from '../../shared/client/coordinator-client.js';
import type { db, PrismaClient } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import { inputsHash } from '../../shared/protocol/canonical-json.js';
import { requestSigner } from '../../shared/protocol/request-auth.js';
import { publicInputsOf } from '../../shared/proving/public-inputs.js';
import { solveWitness } from '../../shared/proving/witness.js';
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
}

/** The on-chain escrow of `jobId`, checked to commit to this circuit and these inputs. */
async function checkedEscrow(chain: GavelContracts, jobId: string, circuit: db.Circuit, hash: string) {
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
  if (mismatches.length > 0) {
    const message = `escrow of job ${jobId} does not match: ${mismatches.join('; ')}`;
    throw new GavelError('ESCROW_MISMATCH', message, { details: { mismatches } });
  }
  return onChain;
}

function checkDeadline(onChain: OnChainJob, config: CoordinatorConfig): Date {
  const deadlineMs = onChain.deadline * 1000;
  const needed = config.auctionWindowMs + config.settleMarginMs;
  if (deadlineMs < Date.now() + needed) {
    throw new GavelError(
      'PAST_DEADLINE',
      `deadline ${new Date(deadlineMs).toISOString()} leaves no time to auction, prove and settle ` +
        `(needs at least ${needed} ms from now)`,
    );
  }
  return new Date(deadlineMs);
}

/** Solves every item once: unsatisfiable inputs go back to the requester, not to auction. */
async function solveItems(circuit: db.Circuit, items: Record<string, unknown>[]) {
  const artifact = artifactOf(circuit);
  const solved: { index: number; inputs: object; publicInputs: string[] }[] = [];
  for (const [index, inputs] of items.entries()) {
    try {
      const { returnValue } = await solveWitness(artifact, inputs);
      solved.push({ index, inputs, publicInputs: publicInputsOf(artifact.abi, inputs, returnValue) });
    } catch (err) {
      if (!(err instanceof GavelError)) throw err;
      throw new GavelError(err.code, `batch item ${index}: ${err.message}`, {
        cause: err,
        details: { item: index },
      });
    }
  }
  return solved;
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
  const onChain = await checkedEscrow(chain, jobId, circuit, hash);
  const deadline = checkDeadline(onChain, config);
  const rule = req.rule ?? 'SECOND_PRICE';
  const inputsPublic = req.public === true;
  const terms = submitTermsText({
    jobId,
    circuitId: circuit.id,
    rule,
    inputsHash: hash,
    public: inputsPublic,
  });
  const signer = requestSigner('submit job', terms, req.signature);
  if (signer !== onChain.requester.toLowerCase()) {
    throw new GavelError(
      'NOT_REQUESTER',
      `the terms are signed by ${signer}, not by the requester ${onChain.requester}`,
    );
  }
  const items = await solveItems(circuit, req.items);
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
      items,
    });
    const first = { jobId, attempt: 0, round: 0, rule, opensAt: new Date() };
    await scheduleRound(tx, { ...first, auctionWindowMs: config.auctionWindowMs });
  });
  return { jobId, status: 'AUCTIONING', created: true };
}
