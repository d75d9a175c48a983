// Silence fails nobody: only the delivery time a prover signed in its bid (its on-chain attempt
// deadline) counts. A slow start (here, a coordinator whose circuit and inputs take 3 s each to
// download) by a prover that heartbeats once a minute must not cost it the job.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type MarketFixture, stakeProver, startMarket, submitTinyJob, waitFor } from '../fixtures/market.js';

const DELAY_MS = 3000;
let market: MarketFixture;
let slow: Server;
let target = '';

before(async () => {
  // The URL the coordinator hands provers: every answer comes 3 s late.
  slow = createServer((req, res) => {
    setTimeout(async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k.startsWith('x-gavel')) headers[k] = v;
      const upstream = await fetch(`${target}${req.url}`, { headers });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    }, DELAY_MS);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
  const publicUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  market = await startMarket({ coordinator: { publicUrl } });
  target = market.url;
  await stakeProver(market.chain, 1);
  await market.startProver(1, { heartbeatMs: '60000' });
});
after(async () => {
  slow?.close();
  await market?.stop();
});

test('a slow, silent prover keeps its award until its own attempt deadline', async () => {
  const id = await submitTinyJob(market, 6);
  const { prisma } = market.coordinator.ctx;
  const job = await waitFor('the job to end', async () => {
    const j = await prisma.job.findUniqueOrThrow({ where: { id }, include: { assignments: true } });
    return j.status === 'SETTLED' || j.assignments.some((a) => a.status === 'FAILED') ? j : undefined;
  });
  assert.equal(job.status, 'SETTLED');
  assert.deepEqual(
    job.assignments.map((a) => a.status),
    ['COMPLETED'],
    'one attempt, never failed',
  );
});
