// Sending one contract transaction: a gas limit with a margin over the estimate, a receipt polled
// with a deadline, and a transaction mined reverted explained by the contract error that reverted
// it (or as out of gas).
import type { BaseContract, Contract, TransactionReceipt, TransactionResponse } from 'ethers';
import { GavelError } from '../errors.js';
import { sleep } from '../retry.js';
import { ContractRevertError, decodeContractError } from './contract-errors.js';

/** How long a sent transaction may wait for its receipt before the caller is told (the outbox
 *  then reads the chain and retries: nothing is lost, nothing sent twice that the chain accepts). */
export const RECEIPT_TIMEOUT_MS = 300_000;

/**
 * The gas limit sent for an estimate. Another sender's transaction can land between the estimate
 * and this one and make it dearer: a storage slot the estimate saw non-zero is zero again (a
 * prover's `locked` after a hand-back or payment), and writing it costs ~17k more. A 10 % margin
 * plus 60k covers a few such slots; unused gas is not paid for.
 */
export function gasLimitFor(estimate: bigint): bigint {
  return estimate + estimate / 10n + 60_000n;
}

/** Why a transaction was mined reverted: out of gas, or the contract error that replaying it on
 *  the block it was mined in gives. */
async function minedRevert(tx: TransactionResponse, receipt: TransactionReceipt): Promise<Error> {
  // Out of gas in a nested call leaves the caller 1/64 of the gas to revert with.
  if (receipt.gasUsed * 64n >= tx.gasLimit * 63n) {
    return new GavelError(
      'OUT_OF_GAS',
      `transaction ${tx.hash} ran out of gas in block ${receipt.blockNumber} (used ${receipt.gasUsed} of ${tx.gasLimit})`,
      { details: { hash: tx.hash, block: receipt.blockNumber } },
    );
  }
  try {
    await tx.provider.call({
      from: tx.from,
      to: tx.to,
      data: tx.data,
      value: tx.value,
      blockTag: receipt.blockNumber,
    });
  } catch (err) {
    const decoded = decodeContractError(err);
    if (decoded instanceof ContractRevertError) return decoded;
  }
  return new GavelError(
    'CONTRACT_CALL_FAILED',
    `transaction ${tx.hash} reverted in block ${receipt.blockNumber} without a reason that replaying it gives`,
    { details: { hash: tx.hash, block: receipt.blockNumber } },
  );
}

/**
 * The receipt of `tx`, asked for directly every polling interval until `timeoutMs`. Not through
 * `tx.wait()`: that listens on ethers' block subscription, and when that stalls under load the
 * wait never ends (seen: an outbox stuck for good behind one payment, and a coordinator that could
 * not stop). A transaction mined reverted throws why (see minedRevert).
 */
export async function receiptOf(
  tx: TransactionResponse,
  timeoutMs = RECEIPT_TIMEOUT_MS,
): Promise<TransactionReceipt> {
  const every = (tx.provider as { pollingInterval?: number }).pollingInterval ?? 1000;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await tx.provider.getTransactionReceipt(tx.hash);
    if (receipt) {
      if (receipt.status === 1) return receipt;
      throw await minedRevert(tx, receipt);
    }
    if (Date.now() > until)
      throw new GavelError('NO_RECEIPT', `transaction ${tx.hash} has no receipt after ${timeoutMs / 1000} s`);
    await sleep(every);
  }
}

/** Sends `contract.method(...args)` (paying `value`) with a margin over its gas estimate and
 *  waits for its receipt. A revert at estimate or on-chain is thrown as the contract's error. */
export async function sendContractTx(
  contract: Contract | BaseContract,
  method: string,
  args: unknown[],
  value?: bigint,
): Promise<TransactionReceipt> {
  const fn = contract.getFunction(method);
  const paid = value === undefined ? {} : { value };
  const estimate = await fn.estimateGas(...args, paid);
  const tx = (await fn(...args, { ...paid, gasLimit: gasLimitFor(estimate) })) as TransactionResponse;
  return receiptOf(tx);
}
