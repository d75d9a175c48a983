// Raw bb.js on this machine: the physical limit the marketplace is compared with.
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { CrsTooSmallError } from '../../services/shared/errors.js';
import { BbBackend } from '../../services/shared/proving/bb-backend.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import {
  type PreparedCircuit,
  prepareCircuit,
  proveInputs,
  verifyProof,
} from '../../services/shared/proving/circuit-prover.js';
import { locateCrs } from '../../services/shared/proving/crs.js';
import { spread } from './stats.js';
import { syntheticCrs } from './synthetic-crs.js';

const FR = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export interface Timing {
  runs: number;
  meanMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export function timing(samples: number[]): Timing {
  const s = spread(samples);
  return {
    runs: samples.length,
    meanMs: Math.round((samples.reduce((a, b) => a + b, 0) / samples.length) * 10) / 10,
    medianMs: s.median,
    minMs: s.min,
    maxMs: s.max,
  };
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

/** Raw prove loop (witness + proof) and raw verify loop on batch_transfer. */
export async function rawBatchTransfer(
  kind: 'wasm' | 'native',
  threads: number,
  proofs: number,
  verifies: number,
) {
  const backend = await BbBackend.create({ kind, threads });
  try {
    const artifact = loadCircuit('batch_transfer');
    const circuit = await prepareCircuit(backend, artifact);
    const inputs = (await generateBatches(artifact, proofs, 5)).map((b) => b.inputs);
    await proveInputs(backend, circuit, inputs[0] ?? {}); // warm-up
    const prove: number[] = [];
    let last: Awaited<ReturnType<typeof proveInputs>> | undefined;
    for (const i of inputs) {
      const [p, ms] = await time(() => proveInputs(backend, circuit, i));
      prove.push(ms);
      last = p;
    }
    const proof = last as NonNullable<typeof last>;
    const rawVerify: number[] = [];
    for (let i = 0; i < verifies; i++)
      rawVerify.push((await time(() => backend.verify(proof, circuit.vk)))[1]);
    // The coordinator's verification path: VK check plus the public inputs the job implies.
    const coordinatorVerify: number[] = [];
    for (let i = 0; i < verifies; i++)
      coordinatorVerify.push((await time(() => verifyProof(backend, circuit, proof, proof.publicInputs)))[1]);
    return {
      circuit: circuit.size,
      prove: timing(prove),
      rawVerify: timing(rawVerify),
      coordinatorVerify: timing(coordinatorVerify),
    };
  } finally {
    await backend.destroy();
  }
}

function chainInputs(n: number) {
  let acc = 3n;
  for (let i = 0; i < n; i++) acc = (acc * acc + 1n) % FR;
  return { x: '3', y: `0x${acc.toString(16)}` };
}

/** Prove time by dyadic size (square_chain_10..16) for one backend. Sizes beyond the real CRS are
 *  timed with a synthetic one and marked `verifiable: false` (their proofs cannot verify). */
export async function proveCurve(
  kind: 'wasm' | 'native',
  threads: number,
  runs: number,
  log: (s: string) => void,
) {
  const real = locateCrs();
  const backend = await BbBackend.create({ kind, threads, crs: real });
  let synthetic: BbBackend | undefined;
  const out: Record<string, unknown>[] = [];
  try {
    for (let k = 10; k <= 16; k++) {
      const artifact = loadCircuit(`square_chain_${k}`);
      const n = Math.floor((2 ** k * 6) / 10);
      let use = backend;
      let circuit: PreparedCircuit;
      try {
        circuit = await prepareCircuit(backend, artifact);
      } catch (err) {
        if (!(err instanceof CrsTooSmallError)) throw err;
        if (!synthetic) {
          const crs = syntheticCrs(real, 2 ** 16 + 1, log);
          const before = process.env.CRS_PATH;
          synthetic = await BbBackend.create({ kind, threads, crs });
          if (before === undefined) delete process.env.CRS_PATH;
          else process.env.CRS_PATH = before;
        }
        use = synthetic;
        circuit = await prepareCircuit(use, artifact);
      }
      const inputs = chainInputs(n);
      const samples: number[] = [];
      let ok = true;
      for (let r = 0; r < runs + 1; r++) {
        const [proof, ms] = await time(() => proveInputs(use, circuit, inputs));
        if (r > 0) samples.push(ms); // the first run warms up
        ok = ok && (await use.verify(proof, circuit.vk));
      }
      out.push({
        log2: k,
        dyadic: circuit.size.dyadic,
        gates: circuit.size.gates,
        backend: kind,
        threads,
        measured: true,
        crs: use === backend ? real.origin : 'synthetic (timing only)',
        verifiable: ok,
        ...timing(samples),
      });
    }
  } finally {
    await backend.destroy();
    await synthetic?.destroy();
  }
  return out;
}
