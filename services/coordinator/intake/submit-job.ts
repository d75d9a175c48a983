// Job intake: a job is accepted only when its escrow is open on-chain with matching terms and
// every batch item solves the circuit; then it is stored and its first auction scheduled.
import type { Abi } from '@noir-lang/types';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { PrismaClient } from '../../shared/db/client.js';
import { GavelError } from '../../shared/errors.js';
import { inputsHash } from '../../shared/protocol/canonical-json.js';
import type { CircuitArtifact } from '../../shared/proving/circuit-artifact.js';
import { publicInputsOf } from '../../shared/proving/public-inputs.js';
import { solveWitness } from '../../shared/proving/witness.js';
import type { CoordinatorConfig } from '../config.js';
import { requestError } from '../http-errors.js';
import { moveJob } from '../lifecycle/job-transitions.js';

export interface SubmitJobRequest {
  jobId: string;
  circuitId: string;
  items: Record<string, unknown>[];
  rule?: 'SECOND_PRICE' | 'FIRST_PRICE';
}

export interface SubmittedJob {
  jobId: string;
  status: string;
  created: boolean;
}

export async function submitJob(
  deps: { prisma: PrismaClient; chain: GavelContracts; config: CoordinatorConfig },
  req: SubmitJobRequest,
): Promise<SubmittedJob> {
  const { prisma, chain, config } = deps;
  const jobId = req.jobId.toLowerCase();
  if (req.items.length === 0 || req.items.length > config.maxBatchItems) {
    throw requestError(
      'TOO_MANY_ITEMS',
      `a job has 1..${config.maxBatchItems} batch items, got ${req.items.length}`,
    );
  }
  const circuit = await prisma.circuit.findUnique({ where: { id: req.circuitId } });
  if (!circuit) throw requestError('UNKNOWN_CIRCUIT', `no circuit ${req.circuitId}; register it first`);
  const hash = inputsHash(req.items);

  const existing = await prisma.job.findUnique({ where: { id: jobId } });
  if (existing) {
    if (existing.inputsHash !== hash)
      throw requestError('JOB_EXISTS', `job ${jobId} exists with other inputs`);
    return { jobId, status: existing.status, created: false };
  }

  // The escrow must exist on-chain and commit to exactly this job.
  const onChain = await chain.job(jobId);
  if (onChain.status === 'None') {
    throw requestError(
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
    throw requestError('ESCROW_MISMATCH', `escrow of job ${jobId} does not match: ${mismatches.join('; ')}`, {
      mismatches,
    });
  }
  const deadlineMs = onChain.deadline * 1000;
  const minimum = Date.now() + config.auctionWindowMs + config.settleMarginMs;
  if (deadlineMs < minimum) {
    throw requestError(
      'PAST_DEADLINE',
      `deadline ${new Date(deadlineMs).toISOString()} leaves no time to auction, prove and settle ` +
        `(needs at least ${config.auctionWindowMs + config.settleMarginMs} ms from now)`,
    );
  }

  // Solve every item once: unsatisfiable inputs go back to the requester, not to auction.
  const artifact: CircuitArtifact = {
    name: circuit.name,
    noirVersion: circuit.noirVersion,
    abi: circuit.abi as unknown as Abi,
    bytecode: circuit.bytecode,
  };
  const items: { index: number; inputs: object; publicInputs: string[] }[] = [];
  for (const [index, inputs] of req.items.entries()) {
    try {
      const { returnValue } = await solveWitness(artifact, inputs);
      items.push({
        index,
        inputs: inputs as object,
        publicInputs: publicInputsOf(artifact.abi, inputs, returnValue),
      });
    } catch (err) {
      if (err instanceof GavelError) {
        throw new GavelError(err.code, `batch item ${index}: ${err.message}`, {
          cause: err,
          details: { item: index },
        });
      }
      throw err;
    }
  }

  const rule = req.rule ?? 'SECOND_PRICE';
  await prisma.$transaction(async (tx) => {
    await tx.job.create({
      data: {
        id: jobId,
        circuitId: circuit.id,
        requester: onChain.requester,
        status: 'OPEN',
        rule,
        reserveWei: onChain.reserve.toString(),
        collateralWei: onChain.collateral.toString(),
        deadline: new Date(deadlineMs),
        inputsHash: hash,
        items: { create: items },
      },
    });
    await tx.jobEvent.create({ data: { jobId, to: 'OPEN', reason: 'escrow verified, inputs solved' } });
    await moveJob(tx, jobId, ['OPEN'], 'AUCTIONING', 'first auction');
    await tx.auction.create({
      data: { jobId, attempt: 0, round: 0, rule, closesAt: new Date(Date.now() + config.auctionWindowMs) },
    });
  });
  return { jobId, status: 'AUCTIONING', created: true };
}
