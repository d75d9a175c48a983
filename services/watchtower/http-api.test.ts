// The watchtower's receipt store is filled by distinct receipts only (review N11): one receipt
// filed over and over takes one place, so nobody can make the watchtower refuse everyone's
// receipts by repeating theirs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HeldReceipt } from './audit/auction-auditor.js';
import type { Diligence } from './diligence/diligence.js';
import { serveApi } from './http-api.js';
import { WatchtowerMetrics } from './metrics.js';
import type { InputsMirror } from './mirror/inputs-mirror.js';

test('a receipt filed again takes no room; the store is full only of distinct receipts', async () => {
  const held = new Set<string>();
  const auditor = {
    holds: (r: HeldReceipt) => held.has(r.bidDigest),
    holdReceipt: async (r: HeldReceipt) => !held.has(r.bidDigest) && Boolean(held.add(r.bidDigest)),
    list: () => [],
    verdictOf: () => undefined,
  };
  const api = await serveApi(0, '127.0.0.1', {
    metrics: new WatchtowerMetrics(),
    auditor,
    diligence: {} as Diligence,
    mirror: {} as InputsMirror,
    rateLimitPerMin: 0,
    // The body names the receipt's digest (signature checks are receipt-intake.ts's, tested apart).
    receiptFrom: async (body) =>
      ({ bidDigest: new TextDecoder().decode(body), bid: { bid: { jobId: '0x01', attempt: 0 } } }) as never,
    maxReceipts: 2,
  });
  const file = async (digest: string) =>
    (
      await fetch(`${api.url}/v1/receipts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: digest,
      })
    ).status;
  try {
    for (let i = 0; i < 5; i++) assert.equal(await file('a'), 202, 'the same receipt again');
    assert.equal(await file('b'), 202);
    assert.equal(await file('c'), 503, 'two distinct receipts fill a store of two');
    assert.equal(await file('a'), 202, 'one held already is still answered');
  } finally {
    await api.close();
  }
});
