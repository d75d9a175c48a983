// Every custom error of Staking, Market and the registry is reached by some contract test: this file covers the
// guards that normal Market flows cannot reach (constructor and wiring checks, Staking called by a
// market that breaks its own rules), and a last test lists the ABIs' errors against the tests.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BaseContract, ContractFactory, keccak256, toUtf8Bytes, ZeroAddress } from 'ethers';
import { type Chain, startChain } from '../../services/devstack/local-chain.js';
import { contractArtifact } from '../../services/shared/chain/contract-artifacts.js';
import { decodeContractError, withRevertDecoding } from '../../services/shared/chain/contract-errors.js';
import { repoRoot } from '../../services/shared/paths.js';
import { reverts } from '../fixtures/contracts.js';

let chain: Chain;
before(async () => {
  chain = await startChain();
});
after(async () => {
  await chain.stop();
});

/** `call`, with a revert decoded into a ContractRevertError. */
async function decoded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw decodeContractError(e);
  }
}

async function deploy(
  name: 'Staking' | 'Market' | 'VerifierRegistry',
  ...args: unknown[]
): Promise<BaseContract> {
  const art = contractArtifact(name);
  const c = (await new ContractFactory(art.abi, art.bytecode, chain.wallets[0]).deploy(
    ...args,
  )) as BaseContract;
  await c.waitForDeployment();
  return c;
}

test('constructor and wiring guards: ZeroAddress, InvalidShare, MarketAlreadySet', async () => {
  const owner = await chain.wallets[0]?.getAddress();
  await reverts(
    decoded(() => deploy('Staking', ZeroAddress, 60, 5000, 1000, 0)),
    'ZeroAddress',
  );
  await reverts(
    decoded(() => deploy('Staking', owner, 60, 9_001, 1000, 0)),
    'InvalidShare',
  );
  await reverts(
    decoded(() => deploy('Market', ZeroAddress, chain.deployment.registry)),
    'ZeroAddress',
  );
  const staking = await deploy('Staking', owner, 60, 5000, 1000, 0);
  await reverts(
    decoded(() => staking.getFunction('setMarket')(ZeroAddress)),
    'ZeroAddress',
  );
  await (await staking.getFunction('setMarket')(owner)).wait();
  await reverts(
    decoded(() => staking.getFunction('setMarket')(owner)),
    'MarketAlreadySet',
  );
  const market = await deploy('Market', await staking.getAddress(), chain.deployment.registry);
  await reverts(
    decoded(() => market.getFunction('setCoordinator')(ZeroAddress, true)),
    'ZeroAddress',
  );
});

test('Staking refuses a market that locks collateral twice for one job', async () => {
  const [owner, prover] = [chain.wallets[0], chain.wallets[1]];
  const staking = await deploy('Staking', await owner?.getAddress(), 60, 5000, 1000, 0);
  // The owner's own account plays a market that breaks the Market contract's rules.
  await (await staking.getFunction('setMarket')(await owner?.getAddress())).wait();
  const asProver = staking.connect(prover ?? null) as BaseContract;
  await (await asProver.getFunction('register')('p', '')).wait();
  await (await asProver.getFunction('stake')({ value: 10n ** 18n })).wait();
  const jobId = keccak256(toUtf8Bytes('errors-job'));
  const proverAddress = await prover?.getAddress();
  await (await staking.getFunction('lock')(proverAddress, jobId, 10n ** 17n)).wait();
  await reverts(
    decoded(() => staking.getFunction('lock')(proverAddress, jobId, 1n)),
    'CollateralAlreadyLocked',
  );
});

test('malformed bid signatures are refused with OpenZeppelin ECDSA errors; a registry entry needs code', async () => {
  const vkHash = keccak256(toUtf8Bytes('errors-vk'));
  const c = chain.as(0);
  await reverts(c.registerVerifier(vkHash, (await chain.wallets[5]?.getAddress()) ?? ''), 'NoCode');
  await c.registerVerifier(vkHash, chain.deployment.staking); // any code will do here
  await reverts(
    withRevertDecoding(() => c.registry.getFunction('register')(vkHash, chain.deployment.staking, 2)),
    'UnknownKind',
  );
  // Kinds are claims added one by one: a second claim adds its template, never replaces the first.
  await c.registerVerifier(vkHash, chain.deployment.staking, 'optimized');
  assert.deepEqual(await c.verifierKinds(vkHash, chain.deployment.staking), ['standard', 'optimized']);
  const jobId = keccak256(toUtf8Bytes('errors-ecdsa'));
  await chain.as(4).openJob({
    jobId,
    vkHash,
    verifier: chain.deployment.staking,
    inputsHash: jobId,
    publicInputsRoot: jobId,
    items: 1,
    deadline: (await chain.now()) + 600,
    collateral: 0n,
    reserve: 1000n,
    rule: 'SECOND_PRICE',
  });
  const bid = {
    jobId,
    attempt: 0,
    price: 1n,
    prover: (await chain.wallets[1]?.getAddress()) ?? '',
    expiry: (await chain.now()) + 600,
    nonce: 1n,
    deliverySeconds: 60,
  };
  const word = (hex: string) => hex.padStart(64, '0');
  await reverts(c.assign(jobId, { bid, signature: `0x${'11'.repeat(64)}` }), 'ECDSAInvalidSignatureLength');
  // s above half the curve order: the malleable twin of a signature.
  await reverts(
    c.assign(jobId, { bid, signature: `0x${word('1')}${'f'.repeat(64)}1b` }),
    'ECDSAInvalidSignatureS',
  );
  // r = 0 recovers no address.
  await reverts(c.assign(jobId, { bid, signature: `0x${word('0')}${word('1')}1b` }), 'ECDSAInvalidSignature');
});

/** OpenZeppelin's ShortStrings errors: EIP712's name and version are constants ("Gavel", "1"). */
// OwnableInvalidOwner: only a zero initial owner raises it, and the deployer is the owner.
const UNREACHABLE = ['InvalidShortString', 'StringTooLong', 'OwnableInvalidOwner'];

test('every custom error in the Staking, Market, registry and audit ABIs is asserted by a contract test', () => {
  const errors = (['Staking', 'Market', 'VerifierRegistry', 'AuctionAudit'] as const).flatMap((c) =>
    (contractArtifact(c).abi as { type: string; name: string }[])
      .filter((x) => x.type === 'error' && !UNREACHABLE.includes(x.name))
      .map((x) => x.name),
  );
  const tests = readdirSync(join(repoRoot, 'test/component'))
    .filter((f) => f.startsWith('contracts') && f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(repoRoot, 'test/component', f), 'utf8'))
    .join('\n');
  const untested = [...new Set(errors)].filter((name) => !tests.includes(`'${name}'`));
  assert.ok(errors.length >= 20, `the ABIs list their errors (${errors.length})`);
  assert.deepEqual(untested, []);
});
