#!/usr/bin/env node
// Command-line entry: `npx spec-analyzer <command> ...`. The code is TypeScript run through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
