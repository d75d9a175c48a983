// Files inside the snarkjs package (its CLI and Solidity templates), which its exports map hides.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The snarkjs package folder (resolved from its CommonJS entry, build/main.cjs). */
export function snarkjsDir(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve('snarkjs')));
}

/** snarkjs's command line (`snarkjs plonk verify` checks Gavel's proofs independently). */
export function snarkjsCli(): string {
  return join(snarkjsDir(), 'build', 'cli.cjs');
}

/** Whether snarkjs (optional) is installed, so PLONK can be proved and verified here. */
export function snarkjsInstalled(): boolean {
  try {
    snarkjsDir();
    return true;
  } catch {
    return false;
  }
}
