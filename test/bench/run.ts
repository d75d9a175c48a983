// npm run bench [-- --quick]: the marketplace against raw bb.js measured in the same run. Writes
// bench/results/latest.json and the results table in BENCHMARKS.md.
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../services/shared/paths.js';
import { gasFigures } from './gas.js';
import { marketPath } from './market.js';
import { plonkVsUltraHonk, type SystemFigures } from './plonk.js';
import { proveCurve, rawBatchTransfer } from './raw.js';
import { scale } from './scale.js';
import { type ScaleOutFigure, scaleOut } from './scale-out.js';
import { type Spread, spread } from './stats.js';
import { verifyPath } from './verify-path.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const P = quick
  ? {
      items: 6,
      jobs: 3,
      rawProofs: 6,
      verifies: 30,
      curveRuns: 3,
      bidders: 200,
      scaleJobs: 60,
      scaleRepeats: 3,
      nativeRepeats: 3,
      participation: 0.25,
      plonkRepeats: 3,
      verifyRepeats: 3,
      verifyItems: 24,
      scaleOutBidders: 200,
      scaleOutJobs: 10,
    }
  : {
      items: 12,
      jobs: 3,
      rawProofs: 12,
      verifies: 100,
      curveRuns: 3,
      bidders: 200,
      scaleJobs: 1000,
      scaleRepeats: 3,
      nativeRepeats: 3,
      participation: 0.25,
      plonkRepeats: 5,
      verifyRepeats: 3,
      verifyItems: 24,
      scaleOutBidders: 1000,
      scaleOutJobs: 5,
    };

function machine() {
  const pkg = (name: string) =>
    JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version as string;
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    bbJs: pkg('@aztec/bb.js'),
    noirJs: pkg('@noir-lang/noir_js'),
    commit: execSync('git rev-parse --short HEAD', { cwd: repoRoot, encoding: 'utf8' }).trim(),
  };
}

async function main() {
  const results: Record<string, unknown> = {
    mode: quick ? 'quick' : 'full',
    at: new Date().toISOString(),
    machine: machine(),
    parameters: P,
  };
  const want = (name: string) => !only || only.split(',').includes(name);

  if (want('prove') || want('verify') || want('e2e')) {
    log(`raw bb.js (WASM, 1 thread): ${P.rawProofs} batch_transfer proofs, ${P.verifies} verifications`);
    const raw = await rawBatchTransfer('wasm', 1, P.rawProofs, P.verifies);
    log(`marketplace path: ${P.jobs} job(s) of ${P.items} batch items through one prover agent`);
    const market = await marketPath(P.items, P.jobs);
    // This machine's speed drifts by tens of percent over minutes (shared vCPUs): raw proving is
    // timed again right after the market path, and the ratios use all raw samples.
    log(`raw bb.js again after the market path: ${P.rawProofs} proofs`);
    const rawAfter = await rawBatchTransfer('wasm', 1, P.rawProofs, 0);
    const rawProveMs = (raw.prove.meanMs + rawAfter.prove.meanMs) / 2;
    // One value per job run (at least 3): the headline is their median, with min and max.
    const agentMsPerProof = market.runs.map((r) => r.stagesMs.proving / P.items);
    const prove = spread(
      agentMsPerProof.map((ms) => rawProveMs / ms),
      3,
    );
    const e2e = spread(
      market.runs.map((r) => r.submitToSettledMs / (rawProveMs * P.items + market.auctionWindowMs)),
      3,
    );
    log(`verification through the result path: ${P.verifyRepeats} jobs of ${P.verifyItems} results`);
    const paths = await verifyPath(P.verifyItems, P.verifyRepeats, log);
    const rawVerifiesPerSec = 1000 / raw.rawVerify.meanMs;
    const verify = spread(
      paths.map((p) => p.verifiesPerSec / rawVerifiesPerSec),
      3,
    );
    results.raw = { ...raw, proveAfterMarket: rawAfter.prove, proveMeanMs: round(rawProveMs, 1) };
    results.market = market;
    results.prove_overhead_ratio = {
      value: prove.median,
      spread: prove,
      target: '>= 0.97',
      agentProofsPerMin: round(60_000 / spread(agentMsPerProof).median, 1),
      rawProofsPerMin: round(60_000 / rawProveMs, 1),
      rawBeforeMs: raw.prove.meanMs,
      rawAfterMs: rawAfter.prove.meanMs,
      note: "per job run: raw mean prove time ÷ the agent's (first heartbeat → last proof verified, PROVING→VERIFYING, per batch item)",
    };
    results.verify_ratio = {
      value: verify.median,
      spread: verify,
      target: '>= 0.90',
      pathVerifiesPerSec: spread(paths.map((p) => p.verifiesPerSec)),
      rawVerifiesPerSec: round(rawVerifiesPerSec, 1),
      inProcessVerifiesPerSec: round(1000 / raw.coordinatorVerify.meanMs, 1),
      runs: paths,
      note: 'per job: results verified per second through the real path (signed results published on NATS → JetStream → the shared consumer → verified rows, first publish to last row) ÷ raw bb.js verifications per second',
    };
    results.e2e_overhead_ratio = {
      value: e2e.median,
      spread: e2e,
      target: '<= 1.05',
      denominatorMs: Math.round(rawProveMs * P.items + market.auctionWindowMs),
      stagesMs: market.runs.map((r) => ({ submitToSettledMs: r.submitToSettledMs, ...r.stagesMs })),
    };
    const coordinatorGas = spread(market.runs.map((r) => r.coordinatorGas));
    results.coordinator_gas_per_job = {
      value: coordinatorGas.median,
      spread: coordinatorGas,
      note: `gas of every transaction the coordinator's key sent for a settled job of ${P.items} items (the prover fulfils itself by default; the coordinator relays only when it did not)`,
    };
  }

  if (want('native')) {
    log(`native vs WASM on batch_transfer: ${P.nativeRepeats} pairs of runs`);
    // Each repeat times both backends back to back, so a drift of the machine's speed hits both.
    const pairs: { nativeMs: number; wasmMs: number }[] = [];
    for (let r = 0; r < P.nativeRepeats; r++) {
      const native = await rawBatchTransfer('native', 2, 3, 0);
      const wasm = await rawBatchTransfer('wasm', 1, 3, 0);
      pairs.push({ nativeMs: native.prove.medianMs, wasmMs: wasm.prove.medianMs });
    }
    const ratio = spread(
      pairs.map((p) => p.wasmMs / p.nativeMs),
      3,
    );
    results.native_vs_wasm_ratio = {
      value: ratio.median,
      spread: ratio,
      meaning:
        'WASM (1 thread) prove time ÷ native bb (2 threads) prove time on batch_transfer; >1 means native is faster',
      nativeMs: spread(pairs.map((p) => p.nativeMs)),
      wasmMs: spread(pairs.map((p) => p.wasmMs)),
      runs: pairs,
    };
  }

  if (want('curve')) {
    log('prove curve, dyadic 2^10..2^16');
    results.prove_curve = [
      ...(await proveCurve('wasm', 1, P.curveRuns, log)),
      ...(await proveCurve('wasm', 2, P.curveRuns, log)),
      ...(await proveCurve('native', 2, P.curveRuns, log)),
    ];
  }

  if (want('gas')) {
    log('gas: register a circuit, assign, fulfil (1, 2, 12 items), slash on anvil with real proofs');
    results.gas = await gasFigures(log);
  }

  if (want('plonk')) {
    log(`plonk: batch_transfer in PLONK (snarkjs) and UltraHonk (bb.js), ${P.plonkRepeats} proofs each`);
    results.plonk = await plonkVsUltraHonk(P.plonkRepeats, log);
  }

  if (want('scale_out')) {
    const figures: ScaleOutFigure[] = [];
    for (const replicas of [1, 2]) {
      log(`scale_out: ${replicas} replica(s), ${P.scaleOutBidders} bidders, ${P.scaleOutJobs} jobs`);
      figures.push(await scaleOut(replicas, P.scaleOutBidders, P.scaleOutJobs, 3, log));
    }
    const [one, two] = figures as [ScaleOutFigure, ScaleOutFigure];
    results.scale_out = {
      runs: figures,
      bids_per_sec_ratio: round(two.bids_per_sec / one.bids_per_sec, 2),
      target: '2 replicas >= 1.6x the bids/s of 1; award p99 (close → receipt) <= 150 ms',
    };
  }

  if (want('scale')) {
    log(`scale: ${P.bidders} bidders, ${P.scaleRepeats} rounds of ${P.scaleJobs} jobs`);
    const s = await scale(P.bidders, P.scaleJobs, P.participation, P.scaleRepeats, log);
    results.scale = { ...s, p99_target_ms: 150 };
  }

  const dir = join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  if (only) keepEarlierFigures(results, join(dir, 'latest.json'));
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    join(dir, `${quick ? 'quick' : 'full'}-${(results.machine as { commit: string }).commit}.json`),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  updateBenchmarksMd(results);
  log('wrote bench/results/latest.json and BENCHMARKS.md');
}

const FIGURES = [
  'raw',
  'market',
  'prove_overhead_ratio',
  'verify_ratio',
  'e2e_overhead_ratio',
  'native_vs_wasm_ratio',
  'prove_curve',
  'gas',
  'plonk',
  'scale',
  'scale_out',
];

/** A partial run (--only) keeps the figures it did not measure from the last run of the same
 *  mode, and says which they are and where they came from. */
function keepEarlierFigures(results: Record<string, unknown>, latestFile: string) {
  let earlier: Record<string, unknown>;
  try {
    earlier = JSON.parse(readFileSync(latestFile, 'utf8'));
  } catch {
    return;
  }
  if (earlier.mode !== results.mode) return;
  const kept = FIGURES.filter((f) => !(f in results) && f in earlier);
  if (kept.length === 0) return;
  for (const f of kept) results[f] = earlier[f];
  const from = (earlier.keptFromEarlierRun as { at: string; commit: string } | undefined) ?? {
    at: earlier.at as string,
    commit: (earlier.machine as { commit: string }).commit,
  };
  results.keptFromEarlierRun = { figures: kept, at: from.at, commit: from.commit };
}

interface CurvePoint {
  log2: number;
  gates: number;
  backend: string;
  threads: number;
  measured: boolean;
  verifiable?: boolean;
  meanMs?: number;
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  runs?: number;
}

/** prove_curve as a table: one row per dyadic size, one column per backend and thread count. */
function curveTable(curve: CurvePoint[]): string[] {
  const columns = [...new Set(curve.map((c) => `${c.backend}×${c.threads}`))];
  const sizes = [...new Set(curve.map((c) => c.log2))].sort((a, b) => a - b);
  const cell = (log2: number, column: string) => {
    const c = curve.find((x) => x.log2 === log2 && `${x.backend}×${x.threads}` === column);
    if (!c?.measured) return 'not measured';
    const range = c.runs && c.runs > 1 ? ` (${c.minMs}–${c.maxMs})` : '';
    return `${c.medianMs ?? c.meanMs} ms${range}${c.verifiable ? '' : ' *'}`;
  };
  return [
    `prove_curve (median prove time of the runs, with min–max, witness included; * = synthetic CRS beyond the 4,097 real points: timing only, proof not verifiable):`,
    '',
    `| dyadic size | gates | ${columns.join(' | ')} |`,
    `| --- | --- | ${columns.map(() => '---').join(' | ')} |`,
    ...sizes.map(
      (k) =>
        `| 2^${k} | ${curve.find((c) => c.log2 === k)?.gates ?? ''} | ${columns.map((col) => cell(k, col)).join(' | ')} |`,
    ),
  ];
}

/** PLONK next to UltraHonk on the same statement: one row per figure. */
function systemsTable(p: SystemFigures & { ultrahonk: SystemFigures }): string[] {
  const h = p.ultrahonk;
  const range = (s: Spread) => `${s.median} ms (min ${s.min}, max ${s.max}, ${s.runs} runs)`;
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    `plonk — the batch_transfer statement in both proof systems (same inputs, same public inputs):`,
    '',
    `| figure | UltraHonk (${h.circuit}, bb.js) | PLONK (${p.circuit}, snarkjs) |`,
    '| --- | --- | --- |',
    `| gates (constraints) | ${n(h.constraints)} (dyadic ${n(h.dyadic)}) | ${n(p.constraints)} (domain ${n(p.dyadic)}) |`,
    `| key setup (UltraHonk: VK; PLONK: snarkjs plonk setup from the ptau) | ${n(h.setup_ms)} ms | ${n(p.setup_ms)} ms |`,
    `| prove (median) | ${range(h.prove_ms_spread)} | ${range(p.prove_ms_spread)} |`,
    `| verify off-chain (median) | ${range(h.verify_ms_spread)} | ${range(p.verify_ms_spread)} |`,
    `| verify on-chain | ${n(h.gas_per_proof)} gas | ${n(p.gas_per_proof)} gas |`,
    `| proof size | ${n(h.proof_bytes)} bytes | ${n(p.proof_bytes)} bytes |`,
  ];
}

function updateBenchmarksMd(r: Record<string, unknown>) {
  const file = join(repoRoot, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const g = (k: string) => r[k] as Record<string, unknown> | undefined;
  const rows: string[] = ['| figure | value | target | detail |', '| --- | --- | --- | --- |'];
  const range = (x: unknown) => {
    const sp = x as Spread | undefined;
    return sp ? `median of ${sp.runs}: min ${sp.min}, max ${sp.max}` : 'one measurement';
  };
  const met = (ok: boolean) => (ok ? 'met' : '**missed**');
  const po = g('prove_overhead_ratio');
  if (po)
    rows.push(
      `| prove_overhead_ratio | ${po.value} (${range(po.spread)}) | ${po.target}: ${met((po.value as number) >= 0.97)} | agent ${po.agentProofsPerMin} proofs/min vs raw ${po.rawProofsPerMin} |`,
    );
  const vr = g('verify_ratio');
  if (vr)
    rows.push(
      `| verify_ratio | ${vr.value} (${range(vr.spread)}) | ${vr.target}: ${met((vr.value as number) >= 0.9)} | through the result path (NATS → JetStream → verified row) ${(vr.pathVerifiesPerSec as Spread | undefined)?.median ?? vr.coordinatorVerifiesPerSec}/s vs raw bb.js ${vr.rawVerifiesPerSec}/s |`,
    );
  const e2 = g('e2e_overhead_ratio');
  if (e2)
    rows.push(
      `| e2e_overhead_ratio | ${e2.value} (${range(e2.spread)}) | ${e2.target}: ${met((e2.value as number) <= 1.05)} | stages (ms): ${JSON.stringify(e2.stagesMs)} |`,
    );
  const nv = g('native_vs_wasm_ratio');
  const ms = (x: unknown) => {
    const sp = x as Spread | number | undefined;
    return typeof sp === 'object' ? `${sp.median} ms (min ${sp.min}, max ${sp.max})` : `${sp} ms`;
  };
  if (nv)
    rows.push(
      `| native_vs_wasm_ratio | ${nv.value} (${range(nv.spread)}) | — | median prove time per run: native (2 threads) ${ms(nv.nativeMs)} vs WASM (1 thread) ${ms(nv.wasmMs)} |`,
    );
  const sc = g('scale');
  if (sc) {
    const jpm = sc.jobs_per_min as Spread;
    const p99 = sc.p99_award_ms as Spread;
    rows.push(
      `| scale | ${jpm.median} jobs/min (${range(jpm)} rounds) | award p99 (round close → winner's receipt) ≤ ${sc.p99_target_ms} ms: ${met(p99.median <= (sc.p99_target_ms as number))} | ${sc.bidders} bidders (participation ${sc.participation}), ${sc.settled}/${(sc.jobs as number) * jpm.runs} settled over ${jpm.runs} rounds of ${sc.jobs} jobs; award from the round's close to the winner's receipt: p50 ${ms(sc.p50_award_ms)}, p99 ${ms(p99)} (medians of per-round percentiles); at the coordinator (round opened → assignment written) p99 ${ms(sc.coordinator_p99_award_ms)}; coordinator RSS ${sc.coordinator_rss_mb} MB after all rounds |`,
    );
  }
  const so = g('scale_out');
  if (so) {
    for (const run of so.runs as ScaleOutFigure[])
      rows.push(
        `| scale_out (${run.replicas} replica${run.replicas > 1 ? 's' : ''}) | ${run.bids_per_sec} bids/s (${range(run.bids_per_sec_spread)} bursts) | award p99 ≤ 150 ms: ${met(run.p99_award_ms <= 150)} | ${run.bidders} bidders × ${run.jobs} jobs on ${run.nats_nodes} NATS nodes: ${run.bids_accepted}/${run.bids_sent} bids accepted, median burst ${run.bid_burst_ms} ms (refused: ${JSON.stringify(run.bids_refused)}); award (close → receipt) p50 ${run.p50_award_ms} ms, p99 ${run.p99_award_ms} ms; ${run.jobs_per_min} jobs/min; lost ${run.lost}, paid twice ${run.double_paid}; CPU seconds during the burst: ${JSON.stringify(run.burst_cpu_seconds)}; replica 0's CPU profile (self time): ${run.replica_profile
          .slice(0, 6)
          .map((b) => `${b.where} ${b.percent}%`)
          .join(', ')}; cores: ${run.cores} |`,
      );
    rows.push(
      `| scale_out ratio | ${so.bids_per_sec_ratio}× bids/s with 2 replicas | ≥ 1.6×: ${met((so.bids_per_sec_ratio as number) >= 1.6)} | ratio of the two medians |`,
    );
  }
  const gas = g('gas');
  if (gas) {
    // Cost at 1 gwei: gas × 1e-9 ETH.
    const eth = (k: string) => `${((gas[k] as number) / 1e9).toFixed(6)} ETH`;
    // Issue 26's targets (optimized verifier); the others have none.
    const targets: Record<string, number> = {
      fulfil_per_proof: 900_000,
      fulfil_job_12_items: 10_000_000,
      fact_check_cold: 5_000,
      fact_check_warm: 5_000,
    };
    const target = (k: string) => {
      const t = targets[k];
      if (t === undefined) return '—';
      return `≤ ${t.toLocaleString('en-US')}: ${met((gas[k] as number) <= t)}`;
    };
    for (const k of [
      'register_circuit',
      'assign',
      'fulfil_per_proof',
      'fulfil_job_2_items',
      'fulfil_job_12_items',
      'fulfil_per_proof_standard',
      'slash',
      'fact_check_cold',
      'fact_check_warm',
    ])
      rows.push(
        `| gas.${k} | ${(gas[k] as number).toLocaleString('en-US')} gas | ${target(k)} | ${eth(k)} at 1 gwei |`,
      );
  }
  const coordinatorGas = g('coordinator_gas_per_job');
  if (coordinatorGas) {
    const s = coordinatorGas.spread as { min: number; max: number };
    rows.push(
      `| gas.coordinator_per_job | ${(coordinatorGas.value as number).toLocaleString('en-US')} gas (min ${s.min.toLocaleString('en-US')}, max ${s.max.toLocaleString('en-US')}) | — | ${coordinatorGas.note} |`,
    );
  }
  const curve = r.prove_curve as CurvePoint[] | undefined;
  const plonk = r.plonk as (SystemFigures & { ultrahonk: SystemFigures }) | undefined;
  const m = r.machine as Record<string, unknown>;
  const kept = r.keptFromEarlierRun as { figures: string[]; at: string; commit: string } | undefined;
  const block = [
    `Mode: ${r.mode}, ${r.at}, commit ${m.commit}. Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GiB, Node ${m.node}, bb.js ${m.bbJs}, noir_js ${m.noirJs}.`,
    ...(kept
      ? [
          '',
          `Kept from the ${r.mode} run of ${kept.at} (commit ${kept.commit}), not re-measured in this one: ${kept.figures.join(', ')}.`,
        ]
      : []),
    '',
    ...rows,
    ...(curve ? ['', ...curveTable(curve)] : []),
    ...(plonk ? ['', ...systemsTable(plonk)] : []),
  ].join('\n');
  const start = '<!-- results:start (written by npm run bench) -->';
  const end = '<!-- results:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  writeFileSync(file, `${text.slice(0, i + start.length)}\n${block}\n${text.slice(j)}`);
}

const rendering = process.argv.includes('--table');
(rendering
  ? Promise.resolve(
      updateBenchmarksMd(JSON.parse(readFileSync(join(repoRoot, 'bench/results/latest.json'), 'utf8'))),
    )
  : main()
).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
