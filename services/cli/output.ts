// How the CLI prints: one JSON document with --json, readable lines otherwise; errors as one line.
import { GavelError } from '../shared/errors.js';

export interface OutputOptions {
  json?: boolean;
}

function jsonable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** Prints a command's result: `data` as JSON, or `human` lines. */
export function printResult(options: OutputOptions, data: unknown, human: string | string[]): void {
  if (options.json) process.stdout.write(`${JSON.stringify(jsonable(data), null, 2)}\n`);
  else process.stdout.write(`${Array.isArray(human) ? human.join('\n') : human}\n`);
}

/** Prints an error as one line (or a JSON document) and sets a non-zero exit code. */
export function printError(err: unknown, json: boolean): void {
  const code = err instanceof GavelError ? err.code : 'ERROR';
  const message = err instanceof Error ? err.message : String(err);
  const details = err instanceof GavelError ? err.details : undefined;
  if (json)
    process.stdout.write(`${JSON.stringify(jsonable({ error: { code, message, details } }), null, 2)}\n`);
  else process.stderr.write(`gavel: ${message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
