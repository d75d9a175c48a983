// bb.js finds its WASM file relative to a global `__dirname` when one exists; Prisma's ESM client
// defines that global for itself, which sends bb.js to the wrong folder. Every bb.js instance is
// therefore given the file's real path.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const bbWasmPath = join(
  dirname(require.resolve('@aztec/bb.js')),
  '..',
  'node',
  'barretenberg_wasm',
  'barretenberg-threads.wasm.gz',
);
