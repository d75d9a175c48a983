#!/usr/bin/env node
// Entry point of the `gavel` CLI: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
