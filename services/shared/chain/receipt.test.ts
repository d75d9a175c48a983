// Receipts are asked for directly until a deadline: a receipt that shows up is returned, one that
// never does ends in a clear error rather than a wait with no end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransactionReceipt, TransactionResponse } from 'ethers';
import { receiptOf } from './send-transaction.js';

function fakeTx(receiptAfterPolls: number | undefined): TransactionResponse {
  let polls = 0;
  const provider = {
    pollingInterval: 5,
    getTransactionReceipt: async () => {
      polls++;
      return receiptAfterPolls !== undefined && polls > receiptAfterPolls
        ? ({ status: 1, hash: '0xabc' } as unknown as TransactionReceipt)
        : null;
    },
  };
  return { hash: '0xabc', provider, wait: async () => null } as unknown as TransactionResponse;
}

test('a receipt that arrives after a few polls is returned; none in time is NO_RECEIPT', async () => {
  assert.equal((await receiptOf(fakeTx(3), 5000)).status, 1);
  await assert.rejects(
    receiptOf(fakeTx(undefined), 50),
    (err: Error & { code?: string }) => err.code === 'NO_RECEIPT',
  );
});
