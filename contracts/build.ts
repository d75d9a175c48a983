// Compiles contracts/src (and contracts/test-helpers) with solc-js into contracts/out/<Name>.json
// ({ abi, bytecode }). Skips the work when no source changed; --force rebuilds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const contractsDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(contractsDir, 'out');
const sourceDirs = ['src', 'test-helpers'];

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

function readSources(): Record<string, { content: string }> {
  const sources: Record<string, { content: string }> = {};
  for (const dir of sourceDirs) {
    for (const file of readdirSync(join(contractsDir, dir))
      .filter((f) => f.endsWith('.sol'))
      .sort()) {
      sources[`${dir}/${file}`] = { content: readFileSync(join(contractsDir, dir, file), 'utf8') };
    }
  }
  return sources;
}

function build(force: boolean): void {
  const sources = readSources();
  const hash = createHash('sha256').update(JSON.stringify(sources)).update(solc.version()).digest('hex');
  const stamp = join(outDir, '.sources-hash');
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    console.log('contracts: up to date');
    return;
  }
  const started = Date.now();
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      // Our sources by their path under contracts/; libraries (@openzeppelin/…) from node_modules.
      import: (path: string) => {
        const resolved = path.startsWith('@')
          ? join(contractsDir, '..', 'node_modules', path)
          : join(contractsDir, path);
        return existsSync(resolved)
          ? { contents: readFileSync(resolved, 'utf8') }
          : { error: `not found: ${path}` };
      },
    }),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  for (const e of output.errors ?? []) console.error(e.formattedMessage);
  if (errors.length > 0) throw new Error(`solc: ${errors.length} error(s)`);
  mkdirSync(outDir, { recursive: true });
  for (const [file, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (c.evm.bytecode.object.length === 0) continue; // abstract contracts and interfaces
      const artifact = {
        contractName: name,
        sourceName: file,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
      };
      writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
    }
  }
  writeFileSync(stamp, hash);
  console.log(`contracts: compiled with solc ${solc.version()} in ${Date.now() - started} ms`);
}

build(process.argv.includes('--force'));
