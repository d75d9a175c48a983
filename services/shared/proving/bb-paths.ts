// bb.js finds its WASM file and its native `bb` binary relative to a global `__dirname` when one
// exists; Prisma's ESM client defines that global for itself, which sends bb.js to the wrong
// folder. Every bb.js instance is therefore given the real paths, computed here.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageRoot = join(dirname(require.resolve('@aztec/bb.js')), '..', '..');

export const bbWasmPath = join(
  packageRoot,
  'dest',
  'node',
  'barretenberg_wasm',
  'barretenberg-threads.wasm.gz',
);

/** The native `bb` binary shipped in @aztec/bb.js for this platform, if there is one. */
export function bbBinaryPath(): string | undefined {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const os = process.platform === 'darwin' ? 'macos' : process.platform;
  const path = join(packageRoot, 'build', `${arch}-${os}`, 'bb');
  return existsSync(path) ? path : undefined;
}
