// A prover sends one transaction at a time from its key: two self-fulfils due at the same moment
// went out together, took one nonce, and the second failed "replacement fee too low".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wallet } from 'ethers';
import pino from 'pino';
import type { GavelContracts } from '../../shared/chain/gavel-contracts.js';
import type { Award } from '../../shared/protocol/messages.js';
import { ChainDuty } from './chain-duty.js';

const wallet = Wallet.createRandom();

/** A chain where every job is assigned to `wallet` and each fulfil takes 50 ms to mine; records
 *  how many fulfils were in flight at once. */
function fakeChain() {
  const state = { inFlight: 0, most: 0, fulfilled: [] as string[] };
  const chain = {
    job: async () => ({ status: 'Assigned', attempt: 0, prover: wallet.address, attemptDeadline: 2e9 }),
    isItemVerified: async () => false,
    fulfil: async (jobId: string) => {
      state.inFlight++;
      state.most = Math.max(state.most, state.inFlight);
      await new Promise((r) => setTimeout(r, 50));
      state.inFlight--;
      state.fulfilled.push(jobId);
      return { gasUsed: 1n, hash: `0x${jobId}` };
    },
  };
  return { chain: chain as unknown as GavelContracts, state };
}

test('self-fulfils due at the same moment are sent one after the other', async () => {
  const { chain, state } = fakeChain();
  const duty = new ChainDuty(
    chain,
    wallet as unknown as Wallet,
    {},
    { coordinatorUrl: '', selfFulfilAfterMs: 0 },
    pino({ level: 'silent' }),
  );
  const proof = { proof: new Uint8Array([1]), publicInputs: ['0x01'] };
  for (const jobId of ['a1', 'b2', 'c3']) duty.watchPayment({ jobId, attempt: 0 } as Award, [proof]);
  for (let i = 0; i < 100 && state.fulfilled.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  duty.stop();
  assert.deepEqual([...state.fulfilled].sort(), ['a1', 'b2', 'c3']);
  assert.equal(state.most, 1, 'two transactions from one key were in flight at once');
});
