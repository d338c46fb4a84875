import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { ingestPdf, inspectPdf, type IngestOptions } from '../../src/ingest/index.js';
import { parseWorkerPool } from '../../src/ingest/parse-worker-pool.js';
import { createEncryptedPdf, createFlateBombPdf, createPdf, createTextPdf } from '../helpers/pdf-factory.js';

const options: IngestOptions = { ...testConfig().ingest };
// Bombs and timeouts: bounds for a busy machine, not speed claims (what stops each one is asserted instead).
const BOMB_TEST_TIMEOUT_MS = 120_000;

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: 'no error', message: '' };
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err), message: (err as Error).message ?? '' };
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await errorOf(promise)).code;
}

/** Parse threads started so far (warm or cold): unchanged when a file is refused before pdf.js sees it. */
function parseThreadsStarted(): number {
  const { warmStarts, coldStarts } = parseWorkerPool.stats();
  return warmStarts + coldStarts;
}

describe('validation of bad uploads', () => {
  it('rejects random bytes as PDF_INVALID without starting the parser', async () => {
    const threadsBefore = parseThreadsStarted();
    expect(await codeOf(inspectPdf(new Uint8Array(randomBytes(4096)), options))).toBe('PDF_INVALID');
    expect(await codeOf(ingestPdf(new Uint8Array(randomBytes(4096)), options))).toBe('PDF_INVALID');
    expect(parseThreadsStarted()).toBe(threadsBefore);
  });

  it('rejects a zero-byte file as PDF_INVALID with a message saying it is empty', async () => {
    await expect(inspectPdf(new Uint8Array(0), options)).rejects.toMatchObject({
      code: 'PDF_INVALID',
      message: 'The file is empty.',
    });
  });

  it('rejects an HTML page renamed to .pdf by its content, and says what it looks like', async () => {
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>Not a PDF</body></html>');
    await expect(inspectPdf(html, options)).rejects.toMatchObject({
      code: 'PDF_INVALID',
      message: expect.stringMatching(/HTML/),
    });
  });

  it('accepts a PDF header preceded by junk within the first kilobyte', async () => {
    const pdf = await createTextPdf(['hello']);
    const prefixed = new Uint8Array(Buffer.concat([Buffer.alloc(500, 0x20), Buffer.from(pdf)]));
    expect((await inspectPdf(prefixed, options)).pageCount).toBe(1);
  });

  it('rejects a PDF header followed by garbage as PDF_INVALID', async () => {
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(8192)]));
    expect(await codeOf(inspectPdf(bytes, options))).toBe('PDF_INVALID');
  });

  it('rejects a truncated PDF as PDF_INVALID', async () => {
    const pdf = await createTextPdf(['one', 'two', 'three']);
    expect(await codeOf(ingestPdf(pdf.subarray(0, 40), options))).toBe('PDF_INVALID');
  });

  it('rejects a password-protected PDF as PDF_ENCRYPTED', async () => {
    const pdf = await createEncryptedPdf('confidential bid documents');
    await expect(inspectPdf(pdf, options)).rejects.toMatchObject({
      code: 'PDF_ENCRYPTED',
      message: expect.stringMatching(/password/),
    });
    expect(await codeOf(ingestPdf(pdf, options))).toBe('PDF_ENCRYPTED');
  });

  it('rejects an upload over MAX_UPLOAD_MB as UPLOAD_TOO_LARGE', async () => {
    const pdf = await createTextPdf(['small but over a tiny limit']);
    await expect(inspectPdf(pdf, { ...options, maxUploadBytes: 100 })).rejects.toMatchObject({
      code: 'UPLOAD_TOO_LARGE',
    });
  });

  it('rejects a document over MAX_PAGES as PDF_TOO_MANY_PAGES, naming both numbers', async () => {
    const pdf = await createTextPdf(['1', '2', '3', '4']);
    await expect(inspectPdf(pdf, { ...options, maxPages: 3 })).rejects.toMatchObject({
      code: 'PDF_TOO_MANY_PAGES',
      message: expect.stringMatching(/4 pages.*maximum is 3/),
    });
    expect(await codeOf(ingestPdf(pdf, { ...options, maxPages: 3 }))).toBe('PDF_TOO_MANY_PAGES');
  });

  it('rejects a document without any text, even after OCR, as PDF_NO_TEXT', async () => {
    const blank = await createPdf([{ imageLines: [] }, {}]);
    expect(await codeOf(ingestPdf(blank, options))).toBe('PDF_NO_TEXT');
    expect(await codeOf(ingestPdf(blank, { ...options, ocr: 'off' }))).toBe('PDF_NO_TEXT');
  });

  it('stops parsing at PARSE_TIMEOUT_MS with PDF_TIMEOUT', async () => {
    const pdf = await createTextPdf(Array.from({ length: 200 }, (_, i) => `page ${i + 1}`));
    expect(await codeOf(ingestPdf(pdf, { ...options, parseTimeoutMs: 30 }))).toBe('PDF_TIMEOUT');
  });

  it(
    'rejects a 1 GB FlateDecode bomb by its expanding stream, before inflating it, and stays healthy afterwards',
    async () => {
      const bomb = await createFlateBombPdf(1024 * 1024 * 1024);
      expect(bomb.byteLength).toBeLessThan(5 * 1024 * 1024);
      // Refused by the scan of the raw file (the error names the expanding stream), before anything inflates it
      // and without waiting for the memory bound or the time limit to stop pdf.js.
      for (const refused of [await errorOf(inspectPdf(bomb, options)), await errorOf(ingestPdf(bomb, options))]) {
        expect(refused).toMatchObject({
          code: 'PDF_INVALID',
          message: expect.stringMatching(/compressed stream that expands to more than/),
        });
      }
      const after = await ingestPdf(await createTextPdf(['still working']), options);
      expect(after.pages[0]!.text).toBe('still working');
    },
    BOMB_TEST_TIMEOUT_MS,
  );

  it(
    'bounds a bomb below the stream check with the time limit',
    async () => {
      // 200 MB inflates below the stream-size check, so only the worker's time limit stops it.
      const bomb = await createFlateBombPdf(200 * 1024 * 1024);
      const code = await codeOf(ingestPdf(bomb, { ...options, parseTimeoutMs: 2_000 }));
      expect(['PDF_TIMEOUT', 'PDF_NO_TEXT', 'PDF_INVALID']).toContain(code);
    },
    BOMB_TEST_TIMEOUT_MS,
  );

  it('reports a parser that runs out of its memory bound as PDF_INVALID', async () => {
    const pdf = await createTextPdf(['hello']);
    const err = await ingestPdf(pdf, { ...options, parseMaxMemoryMb: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PDF_INVALID', message: expect.stringMatching(/memory/) });
  });
});
