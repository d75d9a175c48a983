import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReceiptFile } from './receipt-file.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('filings are kept one per line and read back in order; a torn last line is skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gavel-receipts-'));
  try {
    const file = join(dir, 'sub', 'receipts.jsonl');
    const receipts = new ReceiptFile(file);
    assert.deepEqual(receipts.load(), []);
    receipts.append(new TextEncoder().encode('{\n  "bid": {"jobId": "0x01"},\n  "n": 1\n}'));
    receipts.append(new TextEncoder().encode('{"bid":{"jobId":"0x02"},"n":2}'));
    appendFileSync(file, '{"bid":{"jobId":"0x03"'); // a crash in the middle of an append
    const loaded = () => receipts.load().map((b) => (JSON.parse(text(b)) as { n: number }).n);
    assert.deepEqual(loaded(), [1, 2]);
    // Restarted: the next filing is kept whole after the torn line.
    new ReceiptFile(file).append(new TextEncoder().encode('{"n":4}'));
    assert.deepEqual(loaded(), [1, 2, 4]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
