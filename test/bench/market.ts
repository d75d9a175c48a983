// The marketplace path, as real processes (coordinator, one prover agent: WASM, 1 thread): proofs
// per minute through the agent and submit→settled latency of a batch job, by stage.
import { readFileSync } from 'node:fs';
import { Wallet } from 'ethers';
import { replicaKey } from '../../services/devstack/stack.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { coordinatorNonce, startProcessMarket, waitForTerminal } from '../fixtures/process-market.js';
import { gasOfTransactions } from './gas.js';

const WINDOW_MS = 1000;

export async function marketPath(items: number, jobs: number) {
  const m = await startProcessMarket({ GAVEL_AUCTION_WINDOW_MS: String(WINDOW_MS) }, { stakedProvers: [1] });
  try {
    // Speed measured at start (the default), which also warms the backend as a real agent is.
    await m.startProver(1, { GAVEL_THREADS: '1', GAVEL_BACKEND: 'wasm', GAVEL_GATES_PER_SEC: '0' });
    const artifact = loadCircuit('batch_transfer');
    const circuitId = (await m.client.registerCircuit(artifact)).id;
    // One unmeasured job first, as the raw loop proves once before timing: a running market is
    // warm (WASM tiered up in the coordinator's witness solver, connections open).
    const warmup = (await generateBatches(artifact, 1, 49)).map((b) => b.inputs);
    await waitForTerminal(m, [await m.submit({ circuitId, items: warmup })], 600_000);
    const runs = [];
    for (let j = 0; j < jobs; j++) {
      const batch = (await generateBatches(artifact, items, 50 + j)).map((b) => b.inputs);
      const nonceBefore = await coordinatorNonce(m);
      const submitted = Date.now();
      const jobId = await m.submit({ circuitId, items: batch });
      await waitForTerminal(m, [jobId], 600_000);
      const settledSeen = Date.now();
      // What the job cost the coordinator's key on-chain (the assignment; a relay only when the
      // prover did not fulfil itself).
      const coordinatorGas = await gasOfTransactions(
        m.chain.provider,
        new Wallet(replicaKey(0)).address,
        nonceBefore,
      );
      const job = await m.prisma.job.findUniqueOrThrow({ where: { id: jobId }, include: { events: true } });
      const at = (to: string) => job.events.find((e) => e.to === to)?.at.getTime() ?? Number.NaN;
      runs.push({
        jobId,
        items,
        status: job.status,
        // submit (escrow transaction + HTTP) → settled on-chain, as the requester sees it
        submitToSettledMs: settledSeen - submitted,
        coordinatorGas,
        stagesMs: {
          escrowAndIntake: at('OPEN') - submitted,
          auction: at('ASSIGNED') - at('AUCTIONING'),
          assignOnChainAndAward: at('PROVING') - at('ASSIGNED'),
          proving: at('VERIFYING') - at('PROVING'),
          settleOnChain: at('SETTLED') - at('VERIFYING'),
        },
      });
    }
    const rssKb = Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${m.coordinator.pid}/status`, 'utf8'))?.[1],
    );
    return { runs, auctionWindowMs: WINDOW_MS, coordinatorRssMb: Math.round(rssKb / 1024) };
  } finally {
    await m.stop();
  }
}
