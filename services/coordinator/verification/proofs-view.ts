// Verified proofs in the form the bb CLI checks (proof, public inputs, VK), once a job's proofs
// are all verified.
import { GavelError } from '../../shared/errors.js';
import type { CoordinatorContext } from '../context.js';

export async function jobProofs(ctx: CoordinatorContext, id: string) {
  const job = await ctx.prisma.job.findUnique({
    where: { id },
    include: { circuit: true, proofs: { orderBy: { itemIndex: 'asc' } } },
  });
  if (!job) throw new GavelError('UNKNOWN_JOB', `no job ${id}`);
  if (job.status !== 'SETTLED' && job.status !== 'VERIFYING') {
    throw new GavelError('NOT_READY', `job ${id} is ${job.status}; proofs are served once verified`);
  }
  return {
    jobId: id,
    circuitId: job.circuitId,
    vk: Buffer.from(job.circuit.vk).toString('base64'),
    proofs: job.proofs.map((p) => ({
      item: p.itemIndex,
      prover: p.prover,
      proof: Buffer.from(p.proof).toString('base64'),
      publicInputs: p.publicInputs,
    })),
  };
}
