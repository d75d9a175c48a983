// A local EVM node: the real anvil binary shipped by @foundry-rs/anvil, started and stopped here.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { HDNodeWallet } from 'ethers';
import { GavelError } from '../shared/errors.js';
import { sleep } from '../shared/retry.js';

const require = createRequire(import.meta.url);

/** Path of the anvil binary installed by npm for this platform. */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil');
  } catch (cause) {
    throw new GavelError('ANVIL_MISSING', `${pkg} is not installed; run npm install`, { cause });
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface AnvilOptions {
  port?: number;
  /** Seconds between empty blocks: transactions are mined at once, and a block comes every
   *  `blockTime` seconds besides, so chain time moves while the chain is idle, as a live chain's
   *  does (deadlines are judged by block time). 0 (default): blocks only for transactions, so a
   *  test can set the next block's time exactly. */
  blockTime?: number;
  chainId?: number;
  /** Funded development accounts (default 10). */
  accounts?: number;
}

export class Anvil {
  readonly url: string;
  readonly port: number;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts anvil and resolves once it answers JSON-RPC. */
  static async start(options: AnvilOptions = {}): Promise<Anvil> {
    const port = options.port ?? (await freePort());
    const args = ['--host', '127.0.0.1', '--port', String(port), '--silent'];
    const blockTime = options.blockTime ?? 0;
    if (blockTime > 0) args.push('--mixed-mining', '--block-time', String(blockTime));
    if (options.chainId) args.push('--chain-id', String(options.chainId));
    if (options.accounts) args.push('--accounts', String(options.accounts));
    const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const anvil = new Anvil(child, port);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new GavelError('ANVIL_FAILED', `anvil exited with code ${child.exitCode}: ${stderr.trim()}`);
      }
      if (await anvil.responds()) return anvil;
      await sleep(50);
    }
    await anvil.stop();
    throw new GavelError('ANVIL_FAILED', `anvil did not answer on ${anvil.url} within 15 s`);
  }

  private async responds(): Promise<boolean> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Stops anvil (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The mnemonic anvil funds its accounts from (public: development use only). */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** Private key of anvil's development account `index` (funded when anvil runs with enough --accounts). */
export function devKey(index: number): string {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}
