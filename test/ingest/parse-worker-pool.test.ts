import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseWorkerCount } from '../../src/ingest/extract-pages.js';
import { testConfig } from '../../src/config.js';
import { ingestPdf, inspectPdf } from '../../src/ingest/index.js';
import { ParseWorkerPool, parseWorkerPool } from '../../src/ingest/parse-worker-pool.js';
import { isAppError } from '../../src/errors.js';
import { createEncryptedPdf, createLongPdf, createTextPdf } from '../helpers/pdf-factory.js';
import { settleWithin } from '../helpers/bounded-wait.js';

const options = { ...testConfig().ingest, ocr: 'off' as const };

afterEach(async () => {
  await parseWorkerPool.close();
});

describe('warm parse workers', () => {
  it('keeps the asked number of threads warm, each having read the built-in warm-up document', async () => {
    const pool = new ParseWorkerPool();
    try {
      pool.keepWarm(2, options.parseMaxMemoryMb);
      await pool.whenWarm();
      // A spare whose warm-up failed would have been dropped: both loaded pdf.js and read the document.
      expect(pool.stats()).toMatchObject({ spares: 2, readySpares: 2, warmStarts: 0, coldStarts: 0 });
    } finally {
      await pool.close();
    }
    expect(pool.stats().spares).toBe(0);
  }, 30_000);

  it('parses with warm threads and replaces them with new ones once the document is read', async () => {
    parseWorkerPool.keepWarm(2, options.parseMaxMemoryMb);
    await parseWorkerPool.whenWarm();
    const before = parseWorkerPool.stats();

    const doc = await ingestPdf(await createLongPdf(260), options);

    expect(doc.pageCount).toBe(260);
    expect(doc.pages.every((p, i) => p.pageNumber === i + 1 && p.text.length > 0)).toBe(true);
    const after = parseWorkerPool.stats();
    // 260 pages: one worker per core up to two, all warm; then new spares replace them (used threads are terminated).
    expect(after.warmStarts - before.warmStarts).toBe(Math.min(2, chooseWorkerCount(260, os.availableParallelism())));
    expect(after.coldStarts - before.coldStarts).toBe(0);
    expect(after.spares).toBe(1); // refilling has begun, one thread at a time
    await parseWorkerPool.whenWarm();
    expect(parseWorkerPool.stats()).toMatchObject({ spares: 2, readySpares: 2 });
  }, 60_000);

  it('starts a cold thread when no warm one is left, with the same result', async () => {
    const bytes = await createTextPdf(['First page of the cold parse.', 'Second page.']);
    const before = parseWorkerPool.stats();
    const doc = await ingestPdf(bytes, options); // the pool is empty (keepWarm was never called here)
    expect(doc.pages.map((p) => p.text)).toEqual(['First page of the cold parse.', 'Second page.']);
    expect(parseWorkerPool.stats().coldStarts - before.coldStarts).toBe(1);
  }, 30_000);

  it('hands out no thread built for another memory bound', async () => {
    parseWorkerPool.keepWarm(1, options.parseMaxMemoryMb);
    await parseWorkerPool.whenWarm();
    const before = parseWorkerPool.stats();
    await inspectPdf(await createTextPdf(['One page.']), {
      ...options,
      parseMaxMemoryMb: options.parseMaxMemoryMb + 64,
    });
    expect(parseWorkerPool.stats().coldStarts - before.coldStarts).toBe(1);
    expect(parseWorkerPool.stats().warmStarts - before.warmStarts).toBe(0);
  }, 30_000);

  it('keeps working after a document fails: the failed thread is replaced, the next document parses warm', async () => {
    parseWorkerPool.keepWarm(1, options.parseMaxMemoryMb);
    await parseWorkerPool.whenWarm();

    const failure = await ingestPdf(await createEncryptedPdf('Secret text'), options).catch((err: unknown) => err);
    expect(isAppError(failure) && failure.code).toBe('PDF_ENCRYPTED');

    await parseWorkerPool.whenWarm();
    const before = parseWorkerPool.stats();
    const doc = await ingestPdf(await createTextPdf(['After the failure.']), options);
    expect(doc.pages[0]!.text).toBe('After the failure.');
    expect(parseWorkerPool.stats().warmStarts - before.warmStarts).toBe(1);
  }, 30_000);

  it('never keeps the process alive while its threads wait', async () => {
    const pool = fileURLToPath(new URL('../../src/ingest/parse-worker-pool.ts', import.meta.url));
    // Waiting for the pool needs something else holding the process open (the spares do not): a timer.
    const script = `import { parseWorkerPool } from ${JSON.stringify(pool)};
      parseWorkerPool.keepWarm(2, 256);
      const holdOpen = setInterval(() => undefined, 1000);
      await parseWorkerPool.whenWarm();
      clearInterval(holdOpen);
      console.log('warm', parseWorkerPool.stats().readySpares);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const exited = new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
    // Bounds for a busy machine, not speed claims: starting tsx and warming two pdf.js threads takes ~1 s idle.
    // A pool that kept the process alive would never let it exit, however long we waited.
    const warm = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/warm 2/.test(out)) resolve();
      });
      void exited.then((c) => reject(new Error(`exited with ${c} before the pool was warm`))); // no-op once resolved
    });
    try {
      await settleWithin(warm, 90_000, 'the pool to warm up');
      expect(await settleWithin(exited, 30_000, 'the process to exit once only the warm threads were left')).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(out).toMatch(/warm 2/);
  }, 150_000);
});
