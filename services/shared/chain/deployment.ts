// Where the contracts of a Gavel marketplace live, recorded by `gavel deploy` and read by services.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ContractFactory, getAddress, type Signer } from 'ethers';
import { commonSettings } from '../config.js';
import { GavelError } from '../errors.js';
import { contractArtifact } from './contract-artifacts.js';
import { withRevertDecoding } from './contract-errors.js';

export interface Deployment {
  chainId: number;
  staking: string;
  market: string;
  registry: string;
  /** AuctionAudit: coordinator bonds and the evidence that takes them. */
  audit: string;
  /** Seconds a coordinator has to answer a challenged bid receipt. */
  answerWindowSeconds: number;
  /** Bond posted for each coordinator at deploy, in wei (0: none). */
  coordinatorBondWei: string;
  /** Bond a coordinator key must have to assign, in wei. */
  minBondWei?: string;
  owner: string;
  treasury: string;
  cooldownSeconds: number;
  requesterShareBps: number;
  bountyShareBps: number;
  coordinators: string[];
  blockNumber: number;
}

export interface DeployOptions {
  treasury?: string;
  cooldownSeconds?: number;
  /** Stake a prover must put up to register (wei); default 0.01 ETH. */
  minStakeWei?: bigint;
  requesterShareBps?: number;
  bountyShareBps?: number;
  coordinators?: string[];
  /** Seconds a coordinator has to answer a challenged receipt (default 3600). */
  answerWindowSeconds?: number;
  /** Seconds between a coordinator asking to withdraw bond and withdrawing it (default 7 days). */
  bondWithdrawDelaySeconds?: number;
  /** Bond the deployer posts for each coordinator, in wei (default 1 ETH). */
  coordinatorBondWei?: bigint;
  /** Bond a coordinator key must have to assign, in wei (default 0.1 ETH). */
  minBondWei?: bigint;
  /** Seconds after an assignment during which evidence against it is taken (default 1 day). */
  evidenceWindowSeconds?: number;
  /** Deposit a challenge carries, in wei (default 0.01 ETH). */
  challengeDepositWei?: bigint;
  /** Share of a coordinator's bond one offence takes, in basis points (default 5000). */
  slashShareBps?: number;
}

/** Default file: GAVEL_DEPLOYMENT, else the setting's default in the working directory. */
export function deploymentPath(env: NodeJS.ProcessEnv = process.env): string {
  const { env: name, default: fallback } = commonSettings.deploymentFile;
  return resolve(env[name] || fallback);
}

export function readDeployment(path = deploymentPath()): Deployment {
  if (!existsSync(path)) {
    throw new GavelError(
      'NO_DEPLOYMENT',
      `no deployment at ${path}: run gavel deploy, or set GAVEL_DEPLOYMENT`,
    );
  }
  const d = JSON.parse(readFileSync(path, 'utf8')) as Deployment;
  if (!d.audit) {
    throw new GavelError('BAD_DEPLOYMENT', `${path} predates AuctionAudit: deploy again (gavel deploy)`);
  }
  for (const key of ['staking', 'market', 'registry', 'audit'] as const) {
    try {
      d[key] = getAddress(d[key]);
    } catch (cause) {
      throw new GavelError('BAD_DEPLOYMENT', `${path}: ${key} is not an address`, { cause });
    }
  }
  return d;
}

export function writeDeployment(deployment: Deployment, path = deploymentPath()): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
}

/** The default stake needed to register a prover. */
export const MIN_STAKE_WEI = 10n ** 16n;

/** Deploys Staking, the verifier registry, Market and AuctionAudit, connects them, grants the
 *  coordinator role and posts each coordinator's bond. */
export async function deployGavel(signer: Signer, options: DeployOptions = {}): Promise<Deployment> {
  const owner = await signer.getAddress();
  const treasury = getAddress(options.treasury ?? owner);
  const cooldownSeconds = options.cooldownSeconds ?? 3600;
  const minStakeWei = options.minStakeWei ?? MIN_STAKE_WEI;
  const requesterShareBps = options.requesterShareBps ?? 4000;
  const bountyShareBps = options.bountyShareBps ?? 1000;
  const coordinators = (options.coordinators ?? [owner]).map((a) => getAddress(a));
  const answerWindowSeconds = options.answerWindowSeconds ?? 3600;
  const bond = options.coordinatorBondWei ?? 10n ** 18n;
  const minBond = options.minBondWei ?? 10n ** 17n;
  return withRevertDecoding(async () => {
    const s = contractArtifact('Staking');
    const staking = await new ContractFactory(s.abi, s.bytecode, signer).deploy(
      treasury,
      cooldownSeconds,
      requesterShareBps,
      bountyShareBps,
      minStakeWei,
    );
    await staking.waitForDeployment();
    const r = contractArtifact('VerifierRegistry');
    const registry = await new ContractFactory(r.abi, r.bytecode, signer).deploy();
    await registry.waitForDeployment();
    const m = contractArtifact('Market');
    const market = await new ContractFactory(m.abi, m.bytecode, signer).deploy(
      await staking.getAddress(),
      await registry.getAddress(),
    );
    const receipt = await (await market.waitForDeployment()).deploymentTransaction()?.wait();
    await (await staking.getFunction('setMarket')(await market.getAddress())).wait();
    for (const c of coordinators) await (await market.getFunction('setCoordinator')(c, true)).wait();
    const a = contractArtifact('AuctionAudit');
    const audit = await new ContractFactory(a.abi, a.bytecode, signer).deploy(
      await market.getAddress(),
      answerWindowSeconds,
      options.bondWithdrawDelaySeconds ?? 7 * 24 * 3600,
      options.evidenceWindowSeconds ?? 86_400,
      options.challengeDepositWei ?? 10n ** 16n,
      options.slashShareBps ?? 5000,
    );
    await audit.waitForDeployment();
    await (await market.getFunction('setBonds')(await audit.getAddress(), minBond)).wait();
    if (bond > 0n)
      for (const c of coordinators) await (await audit.getFunction('postBond')(c, { value: bond })).wait();
    const network = await signer.provider?.getNetwork();
    return {
      chainId: Number(network?.chainId ?? 0),
      staking: await staking.getAddress(),
      market: await market.getAddress(),
      registry: await registry.getAddress(),
      audit: await audit.getAddress(),
      answerWindowSeconds,
      coordinatorBondWei: bond.toString(),
      minBondWei: minBond.toString(),
      owner,
      treasury,
      cooldownSeconds,
      requesterShareBps,
      bountyShareBps,
      coordinators,
      blockNumber: receipt?.blockNumber ?? 0,
    };
  });
}
