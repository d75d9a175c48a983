// Verification through the coordinator's real result path, as real processes: a bench-driven prover
// (its own key, registered and staked) wins a batch_transfer job, waits for its assignment on-chain,
// then publishes all its signed results at once on NATS. They go through JetStream and the shared
// results consumer to verified rows; the figure is items ÷ (first publish → last row verified),
// in verifications per second, one value per repeat (a new job each time).
import { parseEther, type Wallet } from 'ethers';
import type { ProofPayload } from '../../services/prover/prover-link.js';
import { offerFor, ProverLink } from '../../services/prover/prover-link.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { bidDomain } from '../../services/shared/protocol/bid-signing.js';
import { parseAward } from '../../services/shared/protocol/messages.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { prepareCircuit, proveInputs } from '../../services/shared/proving/circuit-prover.js';
import { waitFor } from '../fixtures/market.js';
import { startProcessMarket, waitForTerminal } from '../fixtures/process-market.js';

const PROVER = 1;

export interface VerifyPathRun {
  items: number;
  /** first result published → last proof row verified */
  ms: number;
  verifiesPerSec: number;
}

export async function verifyPath(items: number, repeats: number, log: (s: string) => void) {
  const m = await startProcessMarket({ GAVEL_AUCTION_WINDOW_MS: '1000' }, { stakedProvers: [PROVER] });
  const backend = await BbBackend.create({ kind: 'wasm', threads: 1 });
  let link: ProverLink | undefined;
  try {
    const artifact = loadCircuit('batch_transfer');
    const circuitId = (await m.client.registerCircuit(artifact)).id;
    const batch = (await generateBatches(artifact, items, 77)).map((b) => b.inputs);
    log(`verify path: proving ${items} batch_transfer items ahead of time`);
    const circuit = await prepareCircuit(backend, artifact);
    const proofs: ProofPayload[] = [];
    for (const inputs of batch) proofs.push(await proveInputs(backend, circuit, inputs));
    const { chainId, market } = m.chain.deployment;
    link = await ProverLink.connect({
      coordinatorUrl: m.url,
      natsUrl: m.nats.url,
      wallet: m.chain.wallets[PROVER] as Wallet,
      domain: bidDomain(chainId, market),
    });
    const caps = { name: 'verify-bench', backend: 'wasm', threads: 1, maxDyadic: 4096, gatesPerSec: 100_000 };
    await link.hello({ ...caps, proofSystems: ['ultrahonk'] });
    const bidder = link;
    bidder.announcements((a) => void bidder.bid(offerFor(a, parseEther('0.001'))).catch(() => undefined));
    const awards = await bidder.awards();
    const won = new Map<string, ReturnType<typeof parseAward>['body']>();
    void (async () => {
      for await (const msg of awards) {
        const a = parseAward(msg.data).body;
        won.set(a.jobId, a);
        msg.ack();
      }
    })().catch(() => undefined);
    const runs: VerifyPathRun[] = [];
    // One unmeasured job first: the coordinator's verifier and consumer are warm in a running market.
    for (let r = 0; r <= repeats; r++) {
      const jobId = (await m.submit({ circuitId, items: batch })).toLowerCase();
      const award = await waitFor('the award', async () => won.get(jobId), 60_000);
      await waitFor('the assignment on-chain', async () =>
        (await m.chain.as(0).job(jobId)).status === 'Assigned' ? true : undefined,
      );
      const started = Date.now();
      await Promise.all(proofs.map((p, i) => bidder.publishResult(award, i, p)));
      const lastVerified = await waitFor(
        'every result verified',
        async () => {
          const rows = await m.prisma.proof.findMany({ where: { jobId }, select: { verifiedAt: true } });
          return rows.length === items ? Math.max(...rows.map((x) => x.verifiedAt.getTime())) : undefined;
        },
        120_000,
      );
      await waitForTerminal(m, [jobId], 120_000);
      if (r === 0) continue;
      const ms = lastVerified - started;
      runs.push({ items, ms, verifiesPerSec: Math.round((items / (ms / 1000)) * 10) / 10 });
      log(`verify path: run ${r}: ${items} results verified in ${ms} ms`);
    }
    return runs;
  } finally {
    await link?.nc.close().catch(() => undefined);
    await backend.destroy();
    await m.stop();
  }
}
