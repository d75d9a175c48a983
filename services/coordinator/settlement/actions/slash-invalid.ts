// SLASH_INVALID: the prover signed a result whose proof is invalid. Market.slashInvalid checks the
// signature and the proof (on-chain verifier, committed public inputs) itself and slashes at once.
// Should the chain find the proof valid after all, nobody is slashed: the attempt stays the
// prover's until its deadline (it can still fulfil), and our verifier's disagreement is an alert.
import { commitPublicInputs, publicInputsHash } from '../../../shared/chain/public-inputs-commitment.js';
import { resultTerms } from '../../../shared/protocol/result-signing.js';
import { enqueue, markDone } from '../../lifecycle/outbox-entries.js';
import type { ActionHandler } from './action.js';
import { closeAfterChain } from './follow-chain.js';

export const slashInvalid: ActionHandler<'SLASH_INVALID'> = async (run, entry) => {
  const { ctx, tx, row, onChain, log } = run;
  const { jobId, attempt, prover, evidence } = entry;
  let txHash: string | null = null;
  const held = onChain.status === 'Assigned' && onChain.attempt === attempt;
  if (held && onChain.prover.toLowerCase() === prover) {
    const items = await tx.batchItem.findMany({ where: { jobId }, orderBy: { index: 'asc' } });
    const committed = items.map((i) => i.publicInputs as string[]);
    const commitment = commitPublicInputs(committed);
    const { item, proof, publicInputs, resultSignature } = evidence;
    const receipt = await ctx.chain
      .slashInvalid({
        result: resultTerms(jobId, attempt, item, proof, publicInputs),
        signature: resultSignature,
        proof,
        publicInputs,
        committedHash: publicInputsHash(committed[item] ?? []),
        merkleProof: commitment.proof(item),
      })
      .catch(async (err) => {
        if ((err as { errorName?: string }).errorName !== 'ProofIsValid') throw err;
        log.error({ prover, item }, 'ALERT: the chain finds valid a proof our verifier rejected');
        await enqueue(
          tx,
          { kind: 'SLASH_LATE', jobId, attempt, prover },
          new Date(onChain.attemptDeadline * 1000 + 2000),
        );
        return undefined;
      });
    if (!receipt) {
      await markDone(tx, row.id, null, 'the chain found the proof valid: no slash');
      return;
    }
    txHash = receipt.hash;
    ctx.metrics.chainTx.inc({ kind: 'slash' });
    ctx.metrics.slashes.inc();
  }
  await closeAfterChain(run, txHash, prover, 'slashed with its invalid signed result');
};
