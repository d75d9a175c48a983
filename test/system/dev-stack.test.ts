// `gavel dev up` on a machine without a database or NATS of its own (embedded Postgres, a started
// nats-server), then the requester's path through the CLI: register the circuit, generate inputs,
// submit and wait, list, fetch the proofs and have the real bb binary verify them; `gavel dev down`
// stops everything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import type { StackEndpoints } from '../../services/devstack/dev-stack.js';
import { bbBinaryPath } from '../../services/shared/proving/bb-paths.js';
import { locateCrs } from '../../services/shared/proving/crs.js';
import { alive, bareEnv, listening, runGavel } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gavel-dev-stack-'));
let stack: (StackEndpoints & { pid: number }) | undefined;

const baseEnv = bareEnv();

before(async () => {
  const up = await gavel(['dev', 'up', '--provers', '2', '--rpc-port', '0', '--port', '0', '--json'], {});
  assert.equal(up.code, 0, up.stdout + up.stderr);
  stack = JSON.parse(up.stdout);
});
after(async () => {
  if (stack && alive(stack.pid)) await gavel(['dev', 'down'], {});
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in the test's own working directory, as a user would. */
function gavel(args: string[], env: Record<string, string> = requesterEnv()) {
  return runGavel(dir, args, { ...baseEnv, ...env });
}

/** What `gavel dev up` tells the user to export. */
function requesterEnv(): Record<string, string> {
  assert.ok(stack);
  return {
    GAVEL_PRIVATE_KEY: stack.requesterKey,
    GAVEL_RPC_URL: stack.rpc,
    GAVEL_COORDINATOR_URL: stack.coordinator,
    GAVEL_DEPLOYMENT: stack.deployment,
  };
}

async function json(args: string[]) {
  const r = await gavel([...args, '--json']);
  assert.equal(r.code, 0, `gavel ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('dev up started its own NATS (authentication on) and an embedded database, and refuses a second stack', async () => {
  assert.ok(stack);
  await assert.rejects(
    connect({ servers: stack.nats, timeout: 3000 }),
    /Authorization/i,
    'an anonymous client is refused',
  );
  assert.equal(stack.databaseKind, 'embedded');
  assert.equal(stack.provers.length, 2);
  const status = await json(['dev', 'status']);
  assert.equal(status.running, true);
  assert.equal(status.endpoints.coordinator, stack.coordinator);
  const again = await gavel(['dev', 'up', '--rpc-port', '0', '--port', '0']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already running .*gavel dev down first/);
});

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
    '--public',
    '--wait',
  ]);
  assert.equal(job.status, 'SETTLED', JSON.stringify(job));
  assert.equal(job.verifiedProofs, 2);
  // --public: anyone may read the inputs, and the stack's watchtower mirrored them unasked.
  assert.equal((await fetch(`${stack?.coordinator}/v1/jobs/${job.jobId}/inputs`)).status, 200);
  const towerMetrics = await (await fetch(stack?.watchtowers[0]?.metrics ?? '')).text();
  assert.match(towerMetrics, /gavel_watchtower_inputs_mirrored_total\{how="pulled"\} 1\b/);

  // GAVEL_MIRRORS, as dev up prints it: a private job's inputs are held by the watchtower, which
  // signs so, before the job is auctioned.
  const tower = stack?.watchtowers[0]?.url ?? '';
  const r = await gavel(
    ['job', 'submit', '--circuit', circuit.id, '--inputs', inputs, '--reserve', '0.05', '--json'],
    { ...requesterEnv(), GAVEL_MIRRORS: tower },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const mirroredJob = await json(['job', 'status', JSON.parse(r.stdout).jobId]);
  assert.equal(mirroredJob.availability?.required, 1);
  assert.equal(mirroredJob.availability?.attestations[0]?.url, tower);

  const listed = await json(['job', 'list', '--status', 'settled']);
  assert.ok(listed.jobs.some((j: { jobId: string }) => j.jobId === job.jobId));

  const proofs = await json(['job', 'proof', job.jobId, '--out', join(dir, 'proofs')]);
  assert.equal(proofs.files.length, 2);
  const bb = bbBinaryPath() as string;
  for (const f of proofs.files as { vk: string; proof: string; publicInputs: string }[]) {
    const r = spawnSync(
      bb,
      ['verify', '-t', 'evm', '-k', f.vk, '-p', f.proof, '-i', f.publicInputs, '-c', locateCrs().dir],
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

test('dev down stops the stack and everything it started', async () => {
  assert.ok(stack);
  const down = await json(['dev', 'down']);
  assert.equal(down.stopped, true);
  assert.equal(down.clean, true);
  assert.equal(alive(stack.pid), false);
  assert.equal(await listening(stack.rpc), false, 'anvil still answers');
  assert.equal(await listening(stack.nats), false, 'nats-server still answers');
  assert.equal(await listening(stack.coordinator), false, 'the coordinator still answers');
  assert.equal((await json(['dev', 'down'])).running, false);
});
