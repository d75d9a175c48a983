// A local chain: anvil with Gavel's contracts deployed, its funded development accounts, and time
// control. Part of the local stack; chain-only tests use it on its own.
import { type JsonRpcProvider, Wallet } from 'ethers';
import { Anvil, devKey } from '../infra/anvil.js';
import { type Deployment, type DeployOptions, deployGavel } from '../shared/chain/deployment.js';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';

export interface Chain {
  anvil: Anvil;
  provider: JsonRpcProvider;
  deployment: Deployment;
  /** Account 0 deploys and is the owner and (by default) the coordinator. */
  wallets: Wallet[];
  as(index: number): GavelContracts;
  /** Moves chain time forward and mines a block. */
  advance(seconds: number): Promise<void>;
  now(): Promise<number>;
  stop(): Promise<void>;
}

export interface ChainOptions extends DeployOptions {
  /** Development accounts to fund (default 10). */
  accounts?: number;
  /** Anvil's port (default any free port). */
  port?: number;
  /** Seconds between empty blocks besides those of transactions (0, default: none). A market
   *  needs them: its parties judge deadlines by block time, which must move while it is idle. */
  blockTime?: number;
}

export async function startChain(options: ChainOptions = {}): Promise<Chain> {
  const { accounts = 10, port, blockTime = 0, ...deploy } = options;
  const anvil = await Anvil.start({ accounts, blockTime, ...(port ? { port } : {}) });
  const provider = rpcProvider(anvil.url);
  const wallets = Array.from({ length: accounts }, (_, i) => new Wallet(devKey(i), provider));
  try {
    const deployment = await deployGavel(wallets[0] as Wallet, deploy);
    const base = new GavelContracts(deployment, wallets[0] as Wallet);
    return {
      anvil,
      provider,
      deployment,
      wallets,
      as: (i) => base.connect(wallets[i] as Wallet),
      advance: async (seconds) => {
        await provider.send('evm_increaseTime', [seconds]);
        await provider.send('evm_mine', []);
      },
      now: async () => Number((await provider.getBlock('latest'))?.timestamp),
      stop: async () => {
        provider.destroy();
        await anvil.stop();
      },
    };
  } catch (err) {
    provider.destroy();
    await anvil.stop();
    throw err;
  }
}
