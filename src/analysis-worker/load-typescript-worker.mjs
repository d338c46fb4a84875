// Worker-thread entry used when running from the TypeScript sources (tsx src/server.ts, vitest): registers
// tsx's loader in this thread, then loads the TypeScript entry named in workerData. (A thread does not
// inherit the parent's loader, and `--import tsx` in a Worker's execArgv is not honoured for its entry on
// Node 20.) The compiled build starts analysis-worker.js directly and never needs this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.typescriptEntry);
