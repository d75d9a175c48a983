// `npm run demo`, as the README gives it: it must finish with every job settled, paid by the rule
// it was auctioned under, and leave nothing running.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parseEther } from 'ethers';
import type { DemoSummary } from '../services/devstack/demo.js';
import { repoRoot } from '../services/shared/paths.js';

test('the demo settles every job and pays the winners what the auction rule says', () => {
  const r = spawnSync(process.execPath, ['services/cli/gavel.mjs', 'demo', '--jobs', '3', '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const summary = JSON.parse(r.stdout) as DemoSummary;
  assert.equal(summary.jobs.length, 3);
  let paid = 0n;
  for (const job of summary.jobs) {
    assert.equal(job.status, 'SETTLED');
    assert.equal(job.bids, 3, 'every dev prover bids on batch_transfer');
    assert.ok(job.winnerName.startsWith('dev-prover-'));
    // The cheapest dev prover asks 0.001 ETH, the next 0.002 ETH (their minimum prices).
    assert.equal(job.clearingPriceEth, job.rule === 'FIRST_PRICE' ? '0.001' : '0.002');
    assert.ok(job.stagesMs.total > 0 && job.stagesMs.proving > 0);
    paid += parseEther(job.clearingPriceEth);
  }
  const earned = Object.values(summary.proverEarningsEth).reduce((s, e) => s + parseEther(e), 0n);
  assert.equal(earned, paid, 'provers earned exactly the clearing prices');
  const spent = parseEther(summary.requesterSpentEth);
  assert.ok(spent > paid && spent < paid + parseEther('0.01'), `requester spent ${spent}: prices + gas`);
});
