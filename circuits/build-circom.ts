// Compiles every circom circuit under circuits/plonk/<dir>/ (described by its circuit.json) with
// circom2, the circom compiler built to WASM, into circuits/target/<name>.json. circom2 is an
// optional (GPL-3.0) dependency: without it, PLONK circuits are skipped with a message.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface CircuitSpec {
  name: string;
  main: string;
  ptauPower: number;
  publicInputs: string[];
  /** For batch_transfer statements: the tree depth and batch size (what `gavel inputs` builds). */
  batch?: { depth: number; batchSize: number };
}

function circom2Cli(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('circom2/package.json')), 'cli.js');
  } catch {
    return undefined;
  }
}

function sourcesHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

/** Compiles the circom circuits in `plonkDir` into `targetDir` (skipping unchanged ones). */
export function buildCircom(plonkDir: string, targetDir: string, nodeModules: string, force: boolean): void {
  const cli = circom2Cli();
  if (!cli) {
    console.log('circuits: circom2 is not installed (optional): PLONK circuits skipped');
    return;
  }
  let version: string | undefined;
  for (const entry of readdirSync(plonkDir).sort()) {
    const dir = join(plonkDir, entry);
    if (!existsSync(join(dir, 'circuit.json'))) continue;
    const spec = JSON.parse(readFileSync(join(dir, 'circuit.json'), 'utf8')) as CircuitSpec;
    const target = join(targetDir, `${spec.name}.json`);
    const hash = sourcesHash(dir);
    if (
      !force &&
      existsSync(target) &&
      (JSON.parse(readFileSync(target, 'utf8')) as { sources?: string }).sources === hash
    )
      continue;
    const started = Date.now();
    const out = mkdtempSync(join(tmpdir(), 'gavel-circom-'));
    try {
      // --O1: PLONK pays per term of a linear combination, so linear constraints are kept short
      // rather than substituted away (--O2 triples batch_transfer_plonk's PLONK gates).
      execFileSync(
        process.execPath,
        [cli, join(dir, spec.main), '--r1cs', '--wasm', '--O1', '-l', nodeModules, '-o', out],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      const base = spec.main.replace(/\.circom$/, '');
      version ??= execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }).match(
        /circom compiler (\S+)/,
      )?.[1];
      const artifact = {
        system: 'plonk',
        name: spec.name,
        circomVersion: version ?? 'unknown',
        ptauPower: spec.ptauPower,
        publicInputs: spec.publicInputs,
        ...(spec.batch ? { batch: spec.batch } : {}),
        sources: hash,
        r1cs: gzipSync(readFileSync(join(out, `${base}.r1cs`))).toString('base64'),
        wasm: gzipSync(readFileSync(join(out, `${base}_js`, `${base}.wasm`))).toString('base64'),
      };
      writeFileSync(target, `${JSON.stringify(artifact)}\n`);
      console.log(`circuits: compiled ${spec.name} (circom) in ${Date.now() - started} ms`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
}
