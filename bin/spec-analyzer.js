#!/usr/bin/env node
// Command-line entry: `npx spec-analyzer <command> ...`. Like the npm scripts db:migrate, cleanup and user, it runs
// the TypeScript sources through tsx, so it needs no build and always runs the checked-out code (only the
// long-running server, `npm start`, runs the compiled dist/).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
