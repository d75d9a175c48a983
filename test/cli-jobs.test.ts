// The requester's path through the CLI against a running marketplace: register the circuit,
// generate inputs, submit and wait, list, fetch the proofs, and have the real bb binary verify them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Wallet } from 'ethers';
import { repoRoot } from '../services/shared/paths.js';
import { bbBinaryPath } from '../services/shared/proving/bb-paths.js';
import { locateCrs } from '../services/shared/proving/crs.js';
import { type MarketFixture, stakeProver, startMarket } from './fixtures/market.js';

let market: MarketFixture;
const dir = mkdtempSync(join(tmpdir(), 'gavel-cli-jobs-'));

before(async () => {
  market = await startMarket();
  await stakeProver(market.chain, 1);
  await market.startProver(1);
});
after(async () => {
  await market?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI asynchronously (the marketplace lives in this process and must keep running). */
function gavel(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'services/cli/gavel.mjs'), ...args], {
      env: {
        ...process.env,
        GAVEL_COORDINATOR_URL: market.url,
        GAVEL_RPC_URL: market.chain.anvil.url,
        GAVEL_DEPLOYMENT: market.deploymentFile,
        GAVEL_PRIVATE_KEY: (market.chain.wallets[4] as Wallet).privateKey,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json(args: string[]) {
  const r = await gavel([...args, '--json']);
  assert.equal(r.code, 0, `gavel ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('register, submit --wait, list, proof; bb verifies every downloaded proof', async () => {
  const circuit = await json(['circuit', 'register', 'batch_transfer']);
  assert.match(circuit.id, /^0x[0-9a-f]{64}$/);
  const shown = await json(['circuit', 'show', circuit.id]);
  assert.equal(shown.vkHash, circuit.vkHash);

  const inputs = join(dir, 'inputs.json');
  assert.equal((await json(['inputs', '--items', '2', '--out', inputs])).items, 2);

  const job = await json([
    'job',
    'submit',
    '--circuit',
    circuit.id,
    '--inputs',
    inputs,
    '--reserve',
    '0.05',
    '--collateral',
    '1',
    '--deadline',
    '300',
    '--wait',
  ]);
  assert.equal(job.status, 'SETTLED', JSON.stringify(job));
  assert.equal(job.verifiedProofs, 2);

  const listed = await json(['job', 'list', '--status', 'settled']);
  assert.ok(listed.jobs.some((j: { jobId: string }) => j.jobId === job.jobId));

  const proofs = await json(['job', 'proof', job.jobId, '--out', join(dir, 'proofs')]);
  assert.equal(proofs.files.length, 2);
  const bb = bbBinaryPath() as string;
  for (const f of proofs.files as { vk: string; proof: string; publicInputs: string }[]) {
    const r = spawnSync(
      bb,
      ['verify', '-k', f.vk, '-p', f.proof, '-i', f.publicInputs, '-c', locateCrs().dir],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /verified successfully/i);
  }

  // A job that does not exist: one line, exit 1.
  const missing = await gavel(['job', 'status', `0x${'00'.repeat(32)}`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^gavel: no job 0x0{64}\n$/);
});
