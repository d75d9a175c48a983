// Compiles every Noir binary package under circuits/ with noir_wasm into circuits/target/<name>.json.
// Skips a package whose sources (and those of its path dependencies) are unchanged; --force rebuilds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile_program, createFileManager } from '@noir-lang/noir_wasm';
import { buildCircom } from './build-circom.js';

const circuitsDir = dirname(fileURLToPath(import.meta.url));
const targetDir = join(circuitsDir, 'target');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.nr') || f.endsWith('Nargo.toml'))
    .filter((f) => !f.startsWith('target'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

function packageDirs(): string[] {
  return readdirSync(circuitsDir)
    .map((d) => join(circuitsDir, d))
    .filter((d) => existsSync(join(d, 'Nargo.toml')));
}

function isBinary(dir: string): boolean {
  return /^type\s*=\s*"bin"/m.test(readFileSync(join(dir, 'Nargo.toml'), 'utf8'));
}

// Hash of every Noir source in circuits/: a change to a shared library rebuilds its users.
function sourcesHash(): string {
  const h = createHash('sha256');
  for (const dir of packageDirs()) {
    for (const f of sourceFiles(dir)) h.update(f.slice(circuitsDir.length)).update(readFileSync(f));
  }
  return h.digest('hex');
}

async function build(force: boolean): Promise<void> {
  mkdirSync(targetDir, { recursive: true });
  const hash = sourcesHash();
  const stampFile = join(targetDir, '.sources-hash');
  const binaries = packageDirs().filter(isBinary);
  const upToDate =
    !force &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === hash &&
    binaries.every((d) => existsSync(join(targetDir, `${packageName(d)}.json`)));
  if (upToDate) {
    console.log('circuits: up to date');
    return;
  }
  for (const dir of binaries) {
    const name = packageName(dir);
    const started = Date.now();
    const out = await compile_program(createFileManager(resolve(dir)), resolve(dir), () => {});
    const artifact = {
      name,
      noirVersion: out.program.noir_version,
      hash: String(out.program.hash),
      abi: out.program.abi,
      bytecode: out.program.bytecode,
    };
    writeFileSync(join(targetDir, `${name}.json`), `${JSON.stringify(artifact)}\n`);
    console.log(`circuits: compiled ${name} in ${Date.now() - started} ms`);
  }
  writeFileSync(stampFile, hash);
}

function packageName(dir: string): string {
  const m = /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(join(dir, 'Nargo.toml'), 'utf8'));
  if (!m?.[1]) throw new Error(`no package name in ${join(dir, 'Nargo.toml')}`);
  return m[1];
}

await build(process.argv.includes('--force'));
buildCircom(
  join(circuitsDir, 'plonk'),
  targetDir,
  join(circuitsDir, '..', 'node_modules'),
  process.argv.includes('--force'),
);
