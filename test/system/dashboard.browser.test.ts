// The dashboard in a real browser (Debian's Chromium driven by playwright-core): it shows live
// provers, a submitted job moving to SETTLED with its auction and bids, and the charts; a
// screenshot is kept in test-artifacts/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseEther, type Wallet } from 'ethers';
import { type Browser, chromium } from 'playwright-core';
import { GavelContracts } from '../../services/shared/chain/gavel-contracts.js';
import { generateBatches } from '../../services/shared/circuits/batch-transfer-inputs.js';
import { CoordinatorClient, openAndSubmitJob } from '../../services/shared/client/coordinator-client.js';
import { repoRoot } from '../../services/shared/paths.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf } from '../fixtures/market.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(repoRoot, 'test-artifacts');
let market: MarketFixture;
let browser: Browser;

/** Debian's Chromium; installed here when missing (test setup), so the test never silently skips. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    encoding: 'utf8',
  });
  assert.ok(existsSync(CHROMIUM), `Chromium is needed (apt-get install chromium): ${r.stderr ?? r.error}`);
}

before(async () => {
  ensureChromium();
  // A 5 s round: each prover checks the escrow's verifier before its first bid on a circuit, and
  // both must bid in the same round.
  market = await startMarket({ coordinator: { auctionWindowMs: '5000' } });
  for (const i of [1, 2]) {
    await stakeProver(market.chain, i);
    await market.startProver(i, { minPriceWei: (parseEther('0.001') * BigInt(i)).toString() });
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  await market?.stop();
});

test('the dashboard follows a job live from auction to settled', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(market.url);
  await page.waitForSelector('#conn.live');
  await page.waitForFunction("document.querySelectorAll('#provers tr[data-prover]').length === 2");

  const client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  const artifact = loadCircuit('batch_transfer');
  const circuit = await client.registerCircuit(artifact);
  const batches = await generateBatches(artifact, 2, 7);
  const requester = new GavelContracts(market.chain.deployment, market.chain.wallets[5] as Wallet);
  const { jobId } = await openAndSubmitJob(client, requester, {
    circuitId: circuit.id,
    items: batches.map((b) => b.inputs),
    reserve: parseEther('0.05'),
    collateral: parseEther('1'),
    deadlineIn: 300,
  });

  // The row appears through server-sent events (no reload) and ends SETTLED.
  const row = page.locator(`#jobs tr[data-job-id="${jobId}"]`);
  await row.waitFor({ timeout: 30_000 });
  await page.waitForSelector(`#jobs tr[data-job-id="${jobId}"][data-status="SETTLED"]`, { timeout: 90_000 });
  assert.match(String(await row.textContent()), /SETTLED[\s\S]*2\/2[\s\S]*prover-1[\s\S]*0\.002/);

  // Its auction: both bids revealed, the winner marked, the second price paid.
  const auction = page.locator('#auctions tr', { hasText: jobId.slice(0, 8) }).filter({ hasText: 'AWARDED' });
  assert.match(String(await auction.textContent()), /AWARDED[\s\S]*prover-1 0\.001[\s\S]*prover-2 0\.002/);
  assert.equal(await auction.locator('.win').count(), 1);
  await page.waitForFunction("document.querySelectorAll('#chart-price circle').length >= 1");
  assert.equal(await page.locator('#n-settled').textContent(), '1');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  await page.close();
});

test('the coordinator serves OpenAPI at /docs and Prometheus metrics at /metrics', async () => {
  const spec = (await (await fetch(`${market.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
  for (const path of ['/v1/jobs', '/v1/jobs/{id}', '/v1/circuits', '/v1/provers', '/health', '/ready'])
    assert.ok(spec.paths[path], `OpenAPI lacks ${path}`);
  assert.equal((await fetch(`${market.url}/docs/`)).status, 200);
  const metrics = await (await fetch(`${market.url}/metrics`)).text();
  assert.match(metrics, /gavel_jobs\{state="SETTLED"\} 1/);
  assert.match(metrics, /gavel_bids_total\{result="accepted"\} 2/);
  assert.match(metrics, /gavel_auctions_closed_total\{outcome="awarded"\} 1/);
  assert.match(metrics, /gavel_verification_seconds_count\{circuit="batch_transfer"\} 2/);
  assert.match(metrics, /gavel_outbox_backlog 0/);
  const prover = market.provers[0];
  assert.ok(prover);
  const proverMetrics = await (await fetch(prover.status.metricsUrl)).text();
  assert.match(proverMetrics, /gavel_prover_bids_total\{result="accepted"\} 1/);
  assert.match(proverMetrics, /gavel_prover_proving_seconds_count\{circuit="batch_transfer"\} 2/);
});
