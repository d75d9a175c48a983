// ABIs and bytecode compiled by contracts/build.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, type InterfaceAbi } from 'ethers';
import { GavelError } from '../errors.js';
import { repoRoot } from '../paths.js';

export type ContractName =
  | 'Staking'
  | 'Market'
  | 'AuctionAudit'
  | 'VerifierRegistry'
  | 'ReentrantReceiver'
  | 'AcceptAllVerifier'
  | 'FulfilRouter'
  | 'FactConsumer'
  | 'BudgetVerifier';

export interface ContractArtifact {
  contractName: ContractName;
  abi: InterfaceAbi;
  bytecode: string;
}

const cache = new Map<ContractName, ContractArtifact>();

export function contractArtifact(name: ContractName): ContractArtifact {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = join(repoRoot, 'contracts', 'out', `${name}.json`);
  if (!existsSync(file)) throw new GavelError('CONTRACTS_NOT_BUILT', `${file} is missing; run npm run build`);
  const artifact = JSON.parse(readFileSync(file, 'utf8')) as ContractArtifact;
  cache.set(name, artifact);
  return artifact;
}

/** One interface holding the custom errors of the Gavel contracts, for decoding reverts. */
export function gavelInterface(): Interface {
  const abi = [
    contractArtifact('Market').abi,
    contractArtifact('AuctionAudit').abi,
    contractArtifact('Staking').abi,
    contractArtifact('VerifierRegistry').abi,
  ].flat() as InterfaceAbi as unknown[];
  // Both contracts declare some errors (ZeroAddress, …): keep one fragment per signature.
  const seen = new Set<string>();
  const unique = abi.filter((f) => {
    if ((f as { type: string }).type !== 'error') return false;
    const key = JSON.stringify([
      (f as { type: string }).type,
      (f as { name?: string }).name,
      (f as { inputs?: unknown }).inputs,
    ]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return new Interface(unique as InterfaceAbi);
}
