// A prover bids only on an attempt the escrow can be assigned under (review N2): an announced
// attempt below the chain's, or further past it than the Market allows, is refused before any
// circuit is fetched or verifier rebuilt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type GavelContracts, MAX_ATTEMPT_JUMP } from '../../shared/chain/gavel-contracts.js';
import type { ProofSystems } from '../../shared/proving/proof-systems.js';
import { VerifierCheck } from './verifier-check.js';

test('an announced attempt the escrow cannot take is refused; one it can goes on to the verifier check', async () => {
  const escrow = { status: 'Open', attempt: 3, verifier: '0xv', vkHash: '0xk' };
  const chain = { job: async () => escrow } as unknown as GavelContracts;
  let fetched = 0;
  const check = new VerifierCheck(chain, {} as ProofSystems, async () => {
    fetched++;
    throw new Error('coordinator unreachable');
  });
  const job = (attempt: number) => ({ jobId: '0xj', attempt, circuitId: '0xc', coordinatorUrl: 'http://c' });
  assert.match(
    (await check.problem(job(2))) ?? '',
    /announced attempt 2 is not one the escrow \(at attempt 3\)/,
  );
  assert.match((await check.problem(job(3 + MAX_ATTEMPT_JUMP + 1))) ?? '', /not one the escrow/);
  assert.match((await check.problem(job(2 ** 32 - 1))) ?? '', /not one the escrow/);
  assert.equal(fetched, 0, 'nothing fetched for an attempt refused');
  await assert.rejects(check.problem(job(3)), /coordinator unreachable/);
  await assert.rejects(check.problem(job(3 + MAX_ATTEMPT_JUMP)), /coordinator unreachable/);
  assert.equal(fetched, 2);
});
