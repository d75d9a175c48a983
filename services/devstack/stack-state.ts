// Where a running local stack records itself (.gavel/dev/), so `gavel dev down` finds what
// `gavel dev up` started and other commands can print its endpoints.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathSetting } from '../shared/config.js';
import type { StackEndpoints } from './dev-stack.js';

export interface StackState {
  pid: number;
  status: 'starting' | 'ready' | 'failed';
  step?: string;
  error?: string;
  startedAt: string;
  endpoints?: StackEndpoints;
}

export function stackDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(pathSetting('devDir', env));
}

export const stateFile = (dir: string) => join(dir, 'stack.json');
export const logFile = (dir: string) => join(dir, 'stack.log');

export function readState(dir: string): StackState | undefined {
  const file = stateFile(dir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

export function writeState(dir: string, state: StackState): void {
  mkdirSync(dir, { recursive: true });
  const file = stateFile(dir);
  // Written aside and renamed, so a reader never sees half a file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function clearState(dir: string): void {
  rmSync(stateFile(dir), { force: true });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
