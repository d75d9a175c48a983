// The CLI's money commands as a user runs them (a subprocess) against a real anvil.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { Anvil, devKey } from '../../services/infra/anvil.js';
import { repoRoot } from '../../services/shared/paths.js';

let anvil: Anvil;
const dir = mkdtempSync(join(tmpdir(), 'gavel-cli-'));
const deploymentFile = join(dir, 'deployment.json');

before(async () => {
  anvil = await Anvil.start();
});
after(async () => {
  await anvil.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `gavel <args>` with --rpc and --deployment set, the key from GAVEL_PRIVATE_KEY. */
function gavel(args: string[], key = devKey(1)) {
  const res = spawnSync(
    process.execPath,
    [join(repoRoot, 'services/cli/gavel.mjs'), ...args, '--rpc', anvil.url, '--deployment', deploymentFile],
    { encoding: 'utf8', env: { ...process.env, GAVEL_PRIVATE_KEY: key } },
  );
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function json(args: string[], key?: string) {
  const res = gavel([...args, '--json'], key);
  assert.equal(res.code, 0, `gavel ${args.join(' ')} failed: ${res.stdout} ${res.stderr}`);
  return JSON.parse(res.stdout);
}

test('deploy, register, stake, show, unstake; reverts are one clear line', () => {
  const deployed = json(['deploy', '--cooldown', '600'], devKey(0));
  assert.match(deployed.staking, /^0x[0-9a-fA-F]{40}$/);

  const prover = new Wallet(devKey(1)).address;
  // Registration stakes the market's minimum (0.01 ETH by default): it is not free.
  const registered = json(['prover', 'register', '--name', 'alice', '--endpoint', 'nats://alice']);
  assert.equal(registered.prover, prover);
  assert.equal(registered.stakeWei, '10000000000000000');
  assert.equal(json(['stake', 'deposit', '2.49']).stake, '2500000000000000000');

  const shown = json(['stake', 'show']);
  assert.equal(shown.registered, true);
  assert.equal(shown.name, 'alice');
  assert.equal(shown.stake, '2500000000000000000');
  assert.equal(shown.free, '2500000000000000000');

  // A third party reads the same stake by address, without a key of its own.
  const human = gavel(['stake', 'show', prover], '');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /stake\s+2\.5 ETH/);

  const unstaked = json(['stake', 'unstake', '1']);
  assert.equal(unstaked.pending, '1000000000000000000');

  // Reverts: the contract's error name and meaning, one line, exit code 1, no stack trace.
  const again = gavel(['prover', 'register', '--name', 'alice']);
  assert.equal(again.code, 1);
  assert.equal(again.stderr.trim().split('\n').length, 1);
  assert.match(again.stderr, /^gavel: AlreadyRegistered: prover 0x[0-9a-fA-F]{40} is already registered/);

  const early = gavel(['stake', 'withdraw']);
  assert.equal(early.code, 1);
  assert.match(early.stderr, /CooldownActive: prover .* unstake cooldown ends at \d{4}-/);

  const tooMuch = gavel(['stake', 'unstake', '5', '--json']);
  assert.equal(tooMuch.code, 1);
  const err = JSON.parse(tooMuch.stdout).error;
  assert.equal(err.code, 'CONTRACT_REVERT');
  assert.equal(err.details.error, 'InsufficientFreeStake');

  const notRegistered = gavel(['stake', 'deposit', '1'], devKey(2));
  assert.match(notRegistered.stderr, /NotRegistered: .* is not a registered prover/);

  const jobId = keccak256(toUtf8Bytes('no such job'));
  const slash = gavel(['slash', jobId], devKey(3));
  assert.equal(slash.code, 1);
  assert.match(slash.stderr, /UnknownJob: job 0x[0-9a-f]{64} does not exist on-chain/);
});

test('malformed arguments are refused before touching the chain', () => {
  assert.match(
    gavel(['stake', 'deposit', 'lots']).stderr,
    /must be an ETH amount like 1 or 0\.25, got "lots"/,
  );
  assert.match(gavel(['slash', '0x12']).stderr, /a job id is 0x and 64 hex digits/);
  assert.match(
    gavel(['slash', `0x${'ab'.repeat(32)}`, '--evidence', '/nonexistent.json']).stderr,
    /cannot read evidence from \/nonexistent.json/,
  );
  assert.match(
    gavel(['stake', 'deposit', '1'], '0xnotakey').stderr,
    /--key must be a 0x-prefixed 32-byte hex/,
  );
  const missing = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'services/cli/gavel.mjs'),
      'stake',
      'show',
      '--deployment',
      join(dir, 'none.json'),
      '--key',
      devKey(1),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no deployment at .*none\.json: run gavel deploy/);
});
