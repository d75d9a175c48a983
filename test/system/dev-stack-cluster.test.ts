// `gavel dev up --coordinators 2 --nats-cluster 3`: the scaled-out layout on loopback ports — two
// coordinator replicas behind the stack's load balancer, three nats-server nodes, a database on the
// test's Postgres server (replicas refuse the single-session embedded one) — used through the CLI
// as a requester would (a job submitted and settled), then `gavel dev down` stops all of it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StackEndpoints } from '../../services/devstack/dev-stack.js';
import { alive, bareEnv, listening, runGavel } from '../fixtures/cli.js';
import { ADMIN_DATABASE_URL } from '../fixtures/market.js';

const dir = mkdtempSync(join(tmpdir(), 'gavel-dev-cluster-'));
let stack: (StackEndpoints & { pid: number }) | undefined;

function gavel(args: string[]) {
  const env = stack
    ? {
        GAVEL_PRIVATE_KEY: stack.requesterKey,
        GAVEL_RPC_URL: stack.rpc,
        GAVEL_COORDINATOR_URL: stack.coordinator,
        GAVEL_DEPLOYMENT: stack.deployment,
      }
    : {};
  return runGavel(dir, args, { ...bareEnv(), ...env });
}

async function json(args: string[]) {
  const r = await gavel([...args, '--json']);
  assert.equal(r.code, 0, `gavel ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

before(async () => {
  const embedded = await gavel(['dev', 'up', '--coordinators', '2', '--rpc-port', '0', '--port', '0']);
  assert.equal(embedded.code, 1);
  assert.match(embedded.stderr, /replicas share one database .* Postgres server/);
  const up = await gavel([
    'dev',
    'up',
    ...['--coordinators', '2', '--nats-cluster', '3', '--provers', '1', '--watchtowers', '0'],
    ...['--database-url', ADMIN_DATABASE_URL, '--rpc-port', '0', '--port', '0', '--json'],
  ]);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  stack = JSON.parse(up.stdout);
});
after(async () => {
  if (stack && alive(stack.pid)) await gavel(['dev', 'down']);
  rmSync(dir, { recursive: true, force: true });
});

test('two replicas behind the balancer and three NATS nodes settle a job submitted through the CLI', async () => {
  assert.ok(stack);
  assert.equal(stack.replicas.length, 2);
  assert.equal(stack.nats.split(',').length, 3);
  const listed = (await (await fetch(`${stack.coordinator}/v1/replicas`)).json()) as { replicas: unknown[] };
  assert.equal(listed.replicas.length, 2, 'both replicas in the replica bucket');
  for (const url of stack.replicas) assert.equal((await fetch(`${url}/ready`)).status, 200);
  const circuit = await json(['circuit', 'register', 'tiny_square']);
  const inputs = join(dir, 'inputs.json');
  writeFileSync(inputs, JSON.stringify([{ x: '3', y: '9' }]));
  const job = await json([
    'job',
    'submit',
    ...['--circuit', circuit.id, '--inputs', inputs, '--reserve', '0.05', '--deadline', '300', '--wait'],
  ]);
  assert.equal(job.status, 'SETTLED', JSON.stringify(job));
});

test('dev down stops both replicas, the balancer and every NATS node', async () => {
  assert.ok(stack);
  const down = await json(['dev', 'down']);
  assert.equal(down.clean, true);
  assert.equal(alive(stack.pid), false);
  for (const url of [stack.coordinator, ...stack.replicas, ...stack.nats.split(','), stack.rpc])
    assert.equal(await listening(url), false, `${url} still answers`);
});
