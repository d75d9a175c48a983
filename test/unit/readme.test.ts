// README.md's CLI and configuration references must be what the CLI and the settings say: they are
// regenerated here and compared, and every option the real `gavel … --help` prints must be listed
// under its command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { commandPath, leafCommands, README, renderReadme } from '../../services/cli/readme-reference.js';
import { repoRoot } from '../../services/shared/paths.js';

const run = promisify(execFile);

test('the generated README sections are up to date (npm run docs)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(renderReadme(readme), readme, 'README.md is stale: run npm run docs');
});

test("every command and option printed by the CLI's --help is in the README", async () => {
  const readme = readFileSync(README, 'utf8');
  const commands = leafCommands();
  assert.ok(commands.length >= 20, `only ${commands.length} commands found`);
  const helps = await Promise.all(
    commands.map(async (c) => {
      const path = commandPath(c).split(' ').slice(1);
      const { stdout } = await run(process.execPath, [
        join(repoRoot, 'services/cli/gavel.mjs'),
        ...path,
        '--help',
      ]);
      return { name: commandPath(c), stdout };
    }),
  );
  for (const { name, stdout } of helps) {
    const start = readme.indexOf(`#### \`${name} `);
    assert.ok(start >= 0, `README lacks ${name}`);
    const end = readme.indexOf('####', start + 5);
    const block = readme.slice(start, end < 0 ? undefined : end);
    const terms = stdout
      .split('\n')
      .filter((l) => /^ {2}-/.test(l))
      .map((l) => l.trim().split(/\s{2,}/)[0] as string)
      .filter((t) => t !== '-h, --help');
    assert.ok(stdout.startsWith('Usage: '), `${name} --help: ${stdout}`);
    for (const term of terms) assert.ok(block.includes(`\`${term}\``), `README: ${name} lacks ${term}`);
  }
});
