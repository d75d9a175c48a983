// A coordinator that names another verifier for a circuit (here one that accepts anything, which
// anyone may register for any key): an escrow pays for whatever its verifier accepts. The
// requester's client rebuilds the circuit's verifier and refuses to escrow; and an escrow opened
// anyway draws no bid from an honest prover, which checks the verifier's code before it bids.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ContractFactory, hexlify, parseEther, randomBytes } from 'ethers';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { commitPublicInputs } from '../../services/shared/chain/public-inputs-commitment.js';
import {
  CoordinatorClient,
  openAndSubmitJob,
  submitTermsText,
} from '../../services/shared/client/coordinator-client.js';
import { inputsHash } from '../../services/shared/protocol/canonical-json.js';
import { signRequest } from '../../services/shared/protocol/request-auth.js';
import { loadCircuit } from '../../services/shared/proving/circuit-artifact.js';
import { itemPublicInputs } from '../../services/shared/proving/item-public-inputs.js';
import { type MarketFixture, stakeProver, startMarket, uploaderOf, waitFor } from '../fixtures/market.js';

const PROVER = 1;
const REQUESTER = 4;
let market: MarketFixture;
let client: CoordinatorClient;
let circuitId: string;
let acceptAll: string;

before(async () => {
  market = await startMarket();
  await stakeProver(market.chain, PROVER);
  await market.startProver(PROVER);
  client = new CoordinatorClient(market.url, uploaderOf(market.chain));
  const circuit = await client.registerCircuit(loadCircuit('tiny_square'));
  circuitId = circuit.id;
  const art = contractArtifact('AcceptAllVerifier');
  const deployed = await new ContractFactory(art.abi, art.bytecode, market.chain.wallets[6]).deploy();
  acceptAll = await (await deployed.waitForDeployment()).getAddress();
  await market.chain.as(6).registerVerifier(circuit.vkHash, acceptAll);
  // The dishonest coordinator now names it as the circuit's verifier.
  await market.coordinator.ctx.prisma.circuit.update({
    where: { id: circuitId },
    data: { verifier: acceptAll },
  });
});
after(async () => {
  await market?.stop();
});

const items = [{ x: '3', y: '9' }];

test("the requester's client refuses to escrow for a verifier the circuit does not build", async () => {
  const jobId = hexlify(randomBytes(32));
  await assert.rejects(
    openAndSubmitJob(client, market.chain.as(REQUESTER), {
      circuitId,
      items,
      reserve: parseEther('0.05'),
      collateral: parseEther('1'),
      deadlineIn: 300,
      jobId,
    }),
    (e: Error & { code?: string }) =>
      e.code === 'VERIFIER_MISMATCH' && /not built from this VK/.test(e.message),
  );
  assert.equal((await market.chain.as(0).job(jobId)).status, 'None', 'nothing escrowed');
});

test('an escrow opened for it anyway draws no bid from an honest prover', async () => {
  const requester = market.chain.as(REQUESTER);
  const jobId = hexlify(randomBytes(32));
  const circuit = await client.circuit(circuitId);
  const publicInputs = await itemPublicInputs(await client.artifact(circuitId), items);
  await requester.openJob({
    jobId,
    vkHash: circuit.vkHash,
    verifier: acceptAll,
    inputsHash: inputsHash(items),
    publicInputsRoot: commitPublicInputs(publicInputs).root,
    items: 1,
    deadline: Math.floor(Date.now() / 1000) + 300,
    collateral: parseEther('1'),
    reserve: parseEther('0.05'),
    rule: 'SECOND_PRICE',
  });
  const terms = { jobId, circuitId, rule: 'SECOND_PRICE', inputsHash: inputsHash(items), public: false };
  const signature = await signRequest(requester.signer(), 'submit job', submitTermsText(terms));
  await client.request('POST', '/v1/jobs', { jobId, circuitId, items, rule: 'SECOND_PRICE', signature });
  const { prisma } = market.coordinator.ctx;
  const id = jobId.toLowerCase();
  await waitFor('three auction rounds to close', async () =>
    (await prisma.auction.count({ where: { jobId: id, status: { not: 'OPEN' } } })) >= 3 ? true : undefined,
  );
  assert.equal(await prisma.bid.count({ where: { auction: { jobId: id } } }), 0, 'no bid');
  assert.equal((await market.chain.as(0).job(id)).status, 'Open', 'nobody was assigned');
});
