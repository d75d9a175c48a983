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

test("every command and option the CLI's --help prints is in the README", () => {
  const readme = readFileSync(README, 'utf8');
  const commands = leafCommands();
  assert.ok(commands.length >= 20, `only ${commands.length} commands found`);
  for (const c of commands) {
    const name = commandPath(c);
    // What `gavel … --help` prints (commander's helpInformation, in this process: one CLI process
    // per command took half a minute; the real binary is run once below).
    const stdout = c.helpInformation();
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

test('the gavel binary prints the same help as the program the README is made from', async () => {
  const [command] = leafCommands().filter((c) => commandPath(c) === 'gavel job submit');
  assert.ok(command, 'gavel job submit is a command');
  const { stdout } = await run(process.execPath, [
    join(repoRoot, 'services/cli/gavel.mjs'),
    'job',
    'submit',
    '--help',
  ]);
  assert.equal(stdout, command.helpInformation());
});
