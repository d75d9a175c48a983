// Runs the test tiers, cheapest first, stopping after the first that fails:
//   unit         pure logic beside the code (services/**/*.test.ts) and test/unit/
//   component    contracts, proving, the database, each on its own (test/component/)
//   integration  in-process markets (test/integration/)
//   system       real processes: faults, cluster, watchtowers, CLI, demo, browser, PLONK at 2^16
//                (test/system/), two files at a time
// `node test/run-tiers.mjs` runs them all (npm test); `node test/run-tiers.mjs unit` one of them.
// Each file runs in its own `node --test` (its output printed whole when it ends), so its wall
// time is measured exactly: kept in test-durations.txt, slowest first, with its tier.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Test files under `dir` (recursively), sorted. */
function testsUnder(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** `files` put first (the longest, so two workers end together), then the rest in name order. */
function longestFirst(first, files) {
  const listed = first.filter((f) => files.includes(f));
  return [...listed, ...files.filter((f) => !listed.includes(f))];
}

/** Each tier's longest files, longest first (test-durations.txt of CI runs on 2 cores): started
 *  first, they do not leave one worker running alone at the end. */
const COMPONENT_LONGEST = [
  'test/component/contracts-invariants.test.ts',
  'test/component/db-migrate.test.ts',
];
const INTEGRATION_LONGEST = [
  'test/integration/hostile-results.test.ts',
  'test/integration/marketplace.e2e.test.ts',
  'test/integration/bad-input-nats.test.ts',
  'test/integration/verifier-errors.test.ts',
  'test/integration/malicious-coordinator.test.ts',
  'test/integration/nats-credentials.test.ts',
];
const SYSTEM_LONGEST = [
  'test/system/faults-cluster.test.ts',
  'test/system/faults-coordinator.test.ts',
  'test/system/watchtower.test.ts',
  'test/system/plonk.test.ts',
  'test/system/faults-provers.test.ts',
  'test/system/dev-stack.test.ts',
];

/** Files run at once in a tier, longest first: the unit tier is pure; the others start chains,
 *  databases, NATS servers and provers, and run two files at a time (every deadline a test meets
 *  is moved in chain time or signed by the prover with room, so a loaded machine slows a file,
 *  never fails it). Three at a time was measured and is no faster on two cores: each file then
 *  takes half as long again or more (faults-coordinator 201–211 s to 289 s, watchtower 137–150 s
 *  to 296 s), and a 3-node NATS cluster under that load lost its stream leader (see kvKeys). */
const TIERS = {
  unit: { files: () => [...testsUnder('services'), ...testsUnder('test/unit')], concurrency: 4 },
  component: { files: () => longestFirst(COMPONENT_LONGEST, testsUnder('test/component')), concurrency: 2 },
  integration: {
    files: () => longestFirst(INTEGRATION_LONGEST, testsUnder('test/integration')),
    concurrency: 2,
  },
  system: { files: () => longestFirst(SYSTEM_LONGEST, testsUnder('test/system')), concurrency: 2 },
};

/** Runs one file; resolves with its exit status, output and wall time. */
function runFile(file) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = [];
  child.stdout.on('data', (c) => out.push(c));
  child.stderr.on('data', (c) => out.push(c));
  return new Promise((resolve) => {
    child.on('close', (code, signal) =>
      resolve({
        file,
        status: code ?? (signal ? 1 : 0),
        output: Buffer.concat(out),
        seconds: (Date.now() - started) / 1000,
      }),
    );
  });
}

/** Runs a tier's files, `concurrency` at a time; prints each file's output whole. */
async function runTier(name) {
  const { files, concurrency } = TIERS[name];
  const queue = files();
  console.log(`# tier ${name}: ${queue.length} files, ${concurrency} at a time`);
  const started = Date.now();
  const results = [];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const r = await runFile(file);
      process.stdout.write(`# file ${file}\n`);
      process.stdout.write(r.output);
      process.stdout.write(
        `# file ${file}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)} s\n`,
      );
      results.push(r);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const failed = results.filter((r) => r.status !== 0).map((r) => r.file);
  console.log(
    `# tier ${name}: ${Math.round((Date.now() - started) / 1000)} s, ${failed.length} files failed`,
  );
  for (const f of failed) console.log(`# failed: ${f}`);
  return { results, failed };
}

const asked = process.argv.slice(2);
for (const name of asked) {
  if (!(name in TIERS)) {
    console.error(`unknown tier "${name}": one of ${Object.keys(TIERS).join(', ')}`);
    process.exit(2);
  }
}
const rows = [];
let status = 0;
for (const tier of asked.length > 0 ? asked : Object.keys(TIERS)) {
  const { results, failed } = await runTier(tier);
  for (const r of results)
    rows.push([r.seconds, `${r.seconds.toFixed(1).padStart(7)}  ${r.file}  (${tier})`]);
  if (failed.length > 0) {
    status = 1;
    console.log(`# tier ${tier} failed: later tiers not run`);
    break;
  }
}
rows.sort((a, b) => b[0] - a[0]);
writeFileSync(join(root, 'test-durations.txt'), `${rows.map((r) => r[1]).join('\n')}\n`);
process.exit(status);
