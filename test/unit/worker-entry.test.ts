import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { resolveWorkerEntry, startWorkerThread } from '../../src/worker-entry.js';

// Generous: starting a thread and loading tsx into it takes well under a second on an idle machine.
const WORKER_REPLY_TIMEOUT_MS = 60_000;

function firstReply(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error('the worker did not answer'));
    }, WORKER_REPLY_TIMEOUT_MS);
    worker.once('message', (msg) => {
      clearTimeout(timer);
      void worker.terminate().then(() => resolve(msg));
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('worker-thread entries from the sources and from the build', () => {
  it('starts a TypeScript worker entry from the sources, with tsx loaded in the thread and workerData passed', async () => {
    const worker = startWorkerThread(import.meta.url, './fixtures/echo-worker', { workerData: { n: 7 } });
    await expect(firstReply(worker)).resolves.toEqual({ echoed: { n: 7 }, code: 'VALIDATION_FAILED' });
  });

  it('cannot start the same entry as a plain Worker, which is why the helper exists', async () => {
    const { url, fromSources } = resolveWorkerEntry(import.meta.url, './fixtures/echo-worker');
    expect(fromSources).toBe(true);
    expect(url.pathname.endsWith('/test/unit/fixtures/echo-worker.ts')).toBe(true);
    await expect(firstReply(new Worker(url, { workerData: null }))).rejects.toThrow(/\.ts/);
  });

  it('reports an entry that fails to load as an error event, not a silent thread', async () => {
    const worker = startWorkerThread(import.meta.url, './fixtures/no-such-worker');
    await expect(firstReply(worker)).rejects.toThrow(/no-such-worker/);
  });

  it('points a compiled caller at the compiled .js sibling', () => {
    const compiledCaller = pathToFileURL(path.join('/srv/app/dist/analysis', 'pool.js')).href;
    expect(resolveWorkerEntry(compiledCaller, './analysis-worker')).toEqual({
      url: new URL(pathToFileURL('/srv/app/dist/analysis/analysis-worker.js').href),
      fromSources: false,
    });
  });

  it('refuses an entry named with an extension, which would be wrong in one of the two trees', () => {
    expect(() => resolveWorkerEntry(import.meta.url, './fixtures/echo-worker.ts')).toThrow(/without its extension/);
  });
});
