// `npm run demo`, as the README gives it: it must finish with every job settled, paid by the rule
// it was auctioned under, and leave nothing running.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parseEther } from 'ethers';
import type { DemoSummary } from '../../services/devstack/demo.js';
import { repoRoot } from '../../services/shared/paths.js';

test('the demo settles every job and pays the winners what the auction rule says', () => {
  const r = spawnSync(
    process.execPath,
    ['services/cli/gavel.mjs', 'demo', '--jobs', '3', '--json', '--log-level', 'info'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const summary = JSON.parse(r.stdout) as DemoSummary;
  assert.equal(summary.jobs.length, 3);
  // The local watchtower attested the first job: its auction against the transcript committed
  // on-chain, its proofs re-verified with bb from the fulfilment calldata, and the inputs it
  // mirrored before the auction (1 = passed).
  const a = summary.attestation;
  assert.ok(a, 'the watchtower attested the first job');
  assert.deepEqual(
    [a.jobId, a.auction, a.availability, a.proofs],
    [summary.jobs[0]?.jobId.toLowerCase(), 1, 1, 1],
    JSON.stringify(a),
  );
  let paid = 0n;
  for (const job of summary.jobs) {
    assert.equal(job.status, 'SETTLED');
    // Each dev prover bids on every round it sees in time. A bid is judged within a 1.5 s window,
    // so how many arrive is a matter of timing on a loaded machine (CI saw 2 of 3 in one job,
    // never reproduced alone): the count is reported, and at least two must compete.
    if (job.bids < 3) {
      const why = r.stderr.split('\n').filter((l) => /not bidding|bid failed|bid refused|refusing/.test(l));
      console.log(
        `[demo] job ${job.jobId} drew ${job.bids} bids; provers said: ${why.slice(0, 5).join(' | ')}`,
      );
    }
    assert.ok(job.bids >= 2, `job ${job.jobId} drew ${job.bids} bids`);
    assert.ok(job.winnerName.startsWith('dev-prover-'), job.winnerName);
    assert.ok(job.winnerName.startsWith('dev-prover-'));
    // dev-prover-N asks N × 0.001 ETH (its minimum price). A prover busy with another job sits an
    // auction out, so the winner is the cheapest free one: first price pays its ask, second price
    // the next free ask (or the reserve when it was alone).
    const ask = parseEther('0.001') * BigInt(job.winnerName.slice('dev-prover-'.length));
    const price = parseEther(job.clearingPriceEth);
    if (job.rule === 'FIRST_PRICE') assert.equal(price, ask);
    else
      assert.ok(price > ask && price <= parseEther(job.reserveEth), `${job.clearingPriceEth} vs ask ${ask}`);
    assert.ok(job.stagesMs.total > 0 && job.stagesMs.proving > 0);
    // Paid only once every proof was verified on-chain: the summary shows that gas (bb's optimized
    // verifier: about 0.75 M a proof, with the Merkle check and the payment on top).
    const gas = Number(job.fulfilGas);
    assert.ok(gas > 600_000 * job.items && gas < 950_000 * job.items, `fulfil gas ${gas}`);
    paid += parseEther(job.clearingPriceEth);
  }
  const earned = Object.values(summary.proverEarningsEth).reduce((s, e) => s + parseEther(e), 0n);
  assert.equal(earned, paid, 'provers earned exactly the clearing prices');
  const spent = parseEther(summary.requesterSpentEth);
  assert.ok(spent > paid && spent < paid + parseEther('0.01'), `requester spent ${spent}: prices + gas`);
});
