// A circuit's on-chain verifier: bb.js (or snarkjs, for PLONK) writes its Solidity from the VK, solc-js compiles it with
// pinned settings, and it is deployed with its linked libraries. The build is deterministic, so
// anyone holding the VK can rebuild the runtime code and compare it with what is deployed: the
// prover agent does before it bids, and never bids on a job whose verifier does not match.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ContractFactory, getAddress, keccak256, type Provider, type Signer, toUtf8Bytes } from 'ethers';
import solc from 'solc';
import linker from 'solc/linker.js';
import { pathSetting } from '../config.js';
import { GavelError } from '../errors.js';
import type { ProvingBackend } from '../proving/backend.js';
import type { VerifierKind } from '../proving/honk-verifier.js';
import { PLONK_VERIFIER_CONTRACT } from '../proving/plonk/plonk-solidity.js';

const SOURCE_NAME = 'HonkVerifier.sol';
/** The contract a verifier source deploys: bb.js's HonkVerifier, or Gavel's PLONK adapter over
 *  snarkjs's PlonkVerifier. */
const MAIN_CONTRACTS = ['HonkVerifier', PLONK_VERIFIER_CONTRACT];
/** Pinned: a different optimizer setting or EVM version gives different (unverifiable) code. */
export const VERIFIER_SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 1 },
  evmVersion: 'cancun',
} as const;

type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>;

interface CompiledContract {
  bytecode: string;
  deployedBytecode: string;
  linkReferences: LinkReferences;
  deployedLinkReferences: LinkReferences;
}

export interface CompiledVerifier {
  sourceHash: string;
  solc: string;
  verifier: CompiledContract;
  /** Libraries the verifier links, by name. */
  libraries: Record<string, CompiledContract>;
}

export interface DeployedVerifier {
  verifier: string;
  libraries: Record<string, string>;
}

function cacheDir(): string {
  return pathSetting('verifierCache') || join(tmpdir(), 'gavel-verifiers');
}

interface SolcContract {
  evm: {
    bytecode: { object: string; linkReferences: LinkReferences };
    deployedBytecode: { object: string; linkReferences: LinkReferences };
  };
}

/** solc's standard JSON compile, on a worker thread (it blocks for seconds). */
function compileOffThread(input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./solc-worker.mjs', import.meta.url), { workerData: input });
    worker.once('message', (output: string) => resolve(output));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the solc worker exited with code ${code}`));
    });
  });
}

async function runSolc(source: string): Promise<Record<string, SolcContract>> {
  const input = {
    language: 'Solidity',
    sources: { [SOURCE_NAME]: { content: source } },
    settings: {
      ...VERIFIER_SOLC_SETTINGS,
      outputSelection: { '*': { '*': ['evm.bytecode', 'evm.deployedBytecode'] } },
    },
  };
  const output = JSON.parse(await compileOffThread(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, SolcContract>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0 || !output.contracts?.[SOURCE_NAME]) {
    throw new GavelError('VERIFIER_COMPILE_FAILED', 'solc could not compile the circuit verifier', {
      details: { errors: errors.map((e) => e.formattedMessage).slice(0, 3) },
    });
  }
  return output.contracts[SOURCE_NAME];
}

function compiled(c: SolcContract): CompiledContract {
  return {
    bytecode: c.evm.bytecode.object,
    deployedBytecode: c.evm.deployedBytecode.object,
    linkReferences: c.evm.bytecode.linkReferences,
    deployedLinkReferences: c.evm.deployedBytecode.linkReferences,
  };
}

const compiling = new Map<string, Promise<CompiledVerifier>>();

/** Compiles a verifier's source (cached on disk by the source's hash and the compiler version;
 *  concurrent calls for one source share one compilation). */
export function compileVerifier(source: string): Promise<CompiledVerifier> {
  const sourceHash = keccak256(toUtf8Bytes(source));
  let pending = compiling.get(sourceHash);
  if (!pending) {
    pending = compileOnce(source, sourceHash).finally(() => compiling.delete(sourceHash));
    compiling.set(sourceHash, pending);
  }
  return pending;
}

async function compileOnce(source: string, sourceHash: string): Promise<CompiledVerifier> {
  const file = join(cacheDir(), `${sourceHash.slice(2)}-${solc.version()}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as CompiledVerifier;
  const contracts = await runSolc(source);
  const name = MAIN_CONTRACTS.find((n) => contracts[n]);
  const main = name ? contracts[name] : undefined;
  if (!main) {
    throw new GavelError('VERIFIER_COMPILE_FAILED', `the source has none of ${MAIN_CONTRACTS.join(', ')}`);
  }
  const libraries: Record<string, CompiledContract> = {};
  for (const name of Object.keys(main.evm.bytecode.linkReferences[SOURCE_NAME] ?? {})) {
    const lib = contracts[name];
    if (!lib) throw new GavelError('VERIFIER_COMPILE_FAILED', `library ${name} is missing`);
    libraries[name] = compiled(lib);
  }
  const result = { sourceHash, solc: solc.version(), verifier: compiled(main), libraries };
  mkdirSync(cacheDir(), { recursive: true });
  writeFileSync(file, JSON.stringify(result));
  return result;
}

function link(bytecode: string, libraries: Record<string, string>): string {
  const refs = Object.fromEntries(
    Object.entries(libraries).map(([name, address]) => [`${SOURCE_NAME}:${name}`, address]),
  );
  const linked = linker.linkBytecode(bytecode, refs);
  if (linked.includes('__')) throw new GavelError('VERIFIER_LINK_FAILED', 'a library was left unlinked');
  return `0x${linked}`;
}

/** Deploys the libraries, then the verifier linked to them. */
export async function deployVerifier(signer: Signer, build: CompiledVerifier): Promise<DeployedVerifier> {
  const libraries: Record<string, string> = {};
  for (const [name, lib] of Object.entries(build.libraries)) {
    const contract = await new ContractFactory([], `0x${lib.bytecode}`, signer).deploy();
    libraries[name] = getAddress(await (await contract.waitForDeployment()).getAddress());
  }
  const bytecode = link(build.verifier.bytecode, libraries);
  const verifier = await new ContractFactory([], bytecode, signer).deploy();
  return { verifier: getAddress(await (await verifier.waitForDeployment()).getAddress()), libraries };
}

/** The library addresses linked into deployed verifier code, read at the compiled offsets. */
function linkedLibraries(code: string, build: CompiledVerifier): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, refs] of Object.entries(build.verifier.deployedLinkReferences[SOURCE_NAME] ?? {})) {
    const ref = refs[0];
    if (!ref) continue;
    const start = 2 + ref.start * 2;
    out[name] = getAddress(`0x${code.slice(start, start + 40)}`);
  }
  return out;
}

/**
 * Why the code at `address` is not the verifier `build` gives, or undefined when it is: each
 * library's code must equal the compiled library (which embeds its own address), and the
 * verifier's code must equal what its linked creation code returns when run (an eth_call), so
 * its immutables are the compiled ones too.
 */
export async function verifierMismatch(
  provider: Provider,
  address: string,
  build: CompiledVerifier,
): Promise<string | undefined> {
  const code = await provider.getCode(address);
  if (code === '0x') return `no code at ${address}`;
  if (code.length !== build.verifier.deployedBytecode.length + 2)
    return `the verifier at ${address} is not built from this VK (its code has another length)`;
  const libraries = linkedLibraries(code, build);
  for (const [name, libAddress] of Object.entries(libraries)) {
    const lib = build.libraries[name];
    const expected = `0x73${libAddress.slice(2).toLowerCase()}${lib?.deployedBytecode.slice(42)}`;
    if ((await provider.getCode(libAddress)).toLowerCase() !== expected.toLowerCase())
      return `library ${name} at ${libAddress} is not the compiled one`;
  }
  const runtime = await provider.call({ data: link(build.verifier.bytecode, libraries) });
  if (keccak256(runtime) !== keccak256(code)) return `the verifier at ${address} is not built from this VK`;
  return undefined;
}

/** Why `verifier` must not be trusted for the circuit whose VK is `vk` (committed as `vkHash`),
 *  or undefined when it is exactly the verifier that VK builds with one of the templates claimed
 *  for it in the registry (`kinds`). */
export async function verifierProblem(
  provider: Provider,
  backend: Pick<ProvingBackend, 'solidityVerifier'>,
  vk: Uint8Array,
  vkHash: string,
  verifier: string,
  kinds: VerifierKind[],
): Promise<string | undefined> {
  if (keccak256(vk).toLowerCase() !== vkHash.toLowerCase())
    return `the escrow commits to VK ${vkHash}, not this circuit's ${keccak256(vk)}`;
  if (kinds.length === 0) return `${verifier} is not registered for VK ${vkHash}`;
  const problems: string[] = [];
  for (const kind of kinds) {
    const build = await compileVerifier(await backend.solidityVerifier(vk, kind));
    const problem = await verifierMismatch(provider, verifier, build);
    if (!problem) return undefined;
    problems.push(`${kind}: ${problem}`);
  }
  return problems.join('; ');
}

/** Compiles, deploys (from `signer`, who pays) and registers under `vkHash` the verifier `source`
 *  of template `kind`; checks the deployed code is the compiled one before registering it. */
export async function deployAndRegisterVerifier(
  registry: { registerVerifier(vkHash: string, verifier: string, kind: VerifierKind): Promise<unknown> },
  signer: Signer,
  source: string,
  vkHash: string,
  kind: VerifierKind,
): Promise<string> {
  const build = await compileVerifier(source);
  const { verifier } = await deployVerifier(signer, build);
  const provider = signer.provider;
  const mismatch = provider ? await verifierMismatch(provider, verifier, build) : 'no provider';
  if (mismatch)
    throw new GavelError('VERIFIER_MISMATCH', `deployed verifier does not check out: ${mismatch}`);
  await registry.registerVerifier(vkHash, verifier, kind);
  return getAddress(verifier);
}
