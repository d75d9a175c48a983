// Before a prover first bids on a job, it checks what the job pays for: the escrow's verifier must
// be the one its own VK builds (bb.js's or snarkjs's Solidity, compiled with the pinned settings), or valid
// proofs may go unpaid, or invalid ones (anybody's) be paid. Checked once per circuit and verifier:
// at the circuit's notice (circuit-preparer.ts), or at its first announcement.
import { verifierProblem } from '../../shared/chain/circuit-verifier.js';
import { type GavelContracts, MAX_ATTEMPT_JUMP } from '../../shared/chain/gavel-contracts.js';
import { GavelError } from '../../shared/errors.js';
import type { PreparedCircuit } from '../../shared/proving/circuit-prover.js';
import type { ProofSystems } from '../../shared/proving/proof-systems.js';

export type CircuitSource = (coordinatorUrl: string, circuitId: string) => Promise<PreparedCircuit>;

export class VerifierCheck {
  private readonly verdicts = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly chain: GavelContracts,
    private readonly backends: ProofSystems,
    private readonly circuits: CircuitSource,
  ) {}

  /** Why this job's escrow must not be bid on, or undefined when its verifier checks out. */
  async problem(job: {
    jobId: string;
    attempt: number;
    circuitId: string;
    coordinatorUrl: string;
  }): Promise<string | undefined> {
    const escrow = await this.chain.job(job.jobId);
    if (escrow.status !== 'Open') return `the escrow is ${escrow.status}`;
    // A bid signs its attempt: one the chain cannot take (or would take past every other) is not made.
    if (job.attempt < escrow.attempt || job.attempt > escrow.attempt + MAX_ATTEMPT_JUMP)
      return `the announced attempt ${job.attempt} is not one the escrow (at attempt ${escrow.attempt}) can be assigned under`;
    return this.verdict({ ...job, verifier: escrow.verifier, vkHash: escrow.vkHash });
  }

  /** The verdict on paying for `circuitId`'s proofs through `verifier` (checked once, kept). */
  verdict(c: {
    circuitId: string;
    coordinatorUrl: string;
    verifier: string;
    vkHash: string;
  }): Promise<string | undefined> {
    const key = `${c.circuitId}:${c.verifier}:${c.vkHash}`.toLowerCase();
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      verdict = this.check(c, c.verifier, c.vkHash);
      this.verdicts.set(key, verdict);
      // A failure to check (the coordinator or RPC unreachable) is asked again next time.
      void verdict.catch(() => this.verdicts.delete(key));
    }
    return verdict;
  }

  private async check(
    job: { circuitId: string; coordinatorUrl: string },
    verifier: string,
    vkHash: string,
  ): Promise<string | undefined> {
    const circuit = await this.circuits(job.coordinatorUrl, job.circuitId).catch((err) => {
      // An artifact that lies about its public inputs is a verdict, kept: not a failure to check.
      if (err instanceof GavelError && err.code === 'PUBLIC_INPUTS_MISMATCH') return err;
      throw err;
    });
    if (circuit instanceof GavelError) return circuit.message;
    const provider = this.chain.market.runner?.provider;
    if (!provider) return 'no chain provider';
    const backend = await this.backends.backendFor(circuit.artifact);
    const kinds = await this.chain.verifierKinds(vkHash, verifier);
    return verifierProblem(provider, backend, circuit.vk, vkHash, verifier, kinds);
  }
}
