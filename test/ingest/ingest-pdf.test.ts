import { beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { ingestPdf, type IngestOptions } from '../../src/ingest/index.js';
import type { IngestedDocument } from '../../src/ingest/types.js';
import { createPdf, createTextPdf, type PageSpec } from '../helpers/pdf-factory.js';
import { OCR_PAGE_BOUND_MS } from '../helpers/bounded-wait.js';

const options: IngestOptions = { ...testConfig().ingest, ocrPageTimeoutMs: OCR_PAGE_BOUND_MS };
const HEADER = 'CITY OF EXAMPLE — CONTRACT 2024-17 SEWER REHABILITATION';
const FOOTER = 'Page {page} of 6';
// OCR (tesseract) is the slowest thing the tests do: ~1–3 s a page when idle, many times that on a busy machine.
const OCR_TEST_TIMEOUT_MS = 2 * OCR_PAGE_BOUND_MS;

const prose = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${tag} column sentence ${i + 1} about the liner`);

const PAGES: PageSpec[] = [
  { lines: ['TABLE OF CONTENTS', 'Part 1 General'], header: HEADER, footer: FOOTER },
  { lines: ['The liner thickness shall be 6.0 mm.', 'The ﬁnal ﬂow test is required.'], header: HEADER, footer: FOOTER },
  {
    lines: ['The reha-', 'bilitation of the sewer main', 'uses cured-in-', 'place pipe.'],
    header: HEADER,
    footer: FOOTER,
  },
  { columns: [prose('Left', 8), prose('Right', 8)], header: HEADER, footer: FOOTER },
  {
    imageLines: ['WARRANTY', 'The warranty period shall be two years', 'from the date of substantial completion.'],
    header: HEADER,
    footer: FOOTER,
  },
  { lines: ['Bid bond: 10 percent of the bid amount.'], header: HEADER, footer: FOOTER },
];

describe('ingestPdf on a generated specification', () => {
  let doc: IngestedDocument;
  const progress: Array<[number, number]> = [];

  beforeAll(async () => {
    const bytes = await createPdf({
      pages: PAGES,
      pageLabels: [
        { startPage: 1, style: 'r' },
        { startPage: 2, style: 'D', prefix: 'A-' },
      ],
    });
    doc = await ingestPdf(bytes, { ...options, onProgress: (done, total) => progress.push([done, total]) });
  }, OCR_TEST_TIMEOUT_MS);

  it('returns every page in order with its 1-based physical page number', () => {
    expect(doc.pageCount).toBe(6);
    expect(doc.pages.map((p) => p.pageNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(doc.pages[1]!.text).toContain('The liner thickness shall be 6.0 mm.');
    expect(doc.pages[5]!.text).toContain('Bid bond: 10 percent of the bid amount.');
    expect(doc.pages[0]!.text).not.toContain('Bid bond');
  });

  it('reports the printed page labels the PDF defines', () => {
    expect(doc.pages.map((p) => p.label)).toEqual(['i', 'A-1', 'A-2', 'A-3', 'A-4', 'A-5']);
  });

  it('expands ligature glyphs into plain letters', () => {
    expect(doc.pages[1]!.text).toContain('The final flow test is required.');
    expect(doc.pages[1]!.text).not.toMatch(/[\uFB00-\uFB06]/);
  });

  it('joins words hyphenated across line breaks', () => {
    expect(doc.pages[2]!.text).toContain('The rehabilitation');
    expect(doc.pages[2]!.text).toContain('cured-in-place');
  });

  it('reads a two-column page column by column', () => {
    const text = doc.pages[3]!.text;
    const lastLeft = text.indexOf('Left column sentence 8');
    const firstRight = text.indexOf('Right column sentence 1');
    expect(lastLeft).toBeGreaterThan(-1);
    expect(firstRight).toBeGreaterThan(lastLeft);
    expect(text.indexOf('Left column sentence 2')).toBeLessThan(text.indexOf('Right column sentence 1'));
  });

  it('identifies the running header and footer as boilerplate on every page', () => {
    for (const page of doc.pages.filter((p) => !p.ocr)) {
      expect(page.boilerplateLines).toContain(HEADER);
      expect(page.boilerplateLines).toContain(`Page ${page.pageNumber} of 6`);
    }
    expect(doc.pages[1]!.boilerplateLines).not.toContain('The liner thickness shall be 6.0 mm.');
  });

  it('reads an image-only page with OCR and marks it with its confidence', () => {
    const scanned = doc.pages[4]!;
    expect(scanned.ocr).toBe(true);
    expect(scanned.text).toMatch(/warranty period shall be two years/i);
    expect(scanned.ocrConfidence).toBeGreaterThan(0.5);
    expect(scanned.ocrConfidence).toBeLessThanOrEqual(1);
    expect(doc.ocrPages).toEqual([5]);
    expect(doc.pages.filter((p) => p.ocr)).toHaveLength(1);
    expect(doc.pages[1]!.ocrConfidence).toBeNull();
  });

  it('reports progress once per page up to the total', () => {
    expect(progress).toHaveLength(6);
    expect(progress.map(([done]) => done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.every(([, total]) => total === 6)).toBe(true);
  });

  it('reports timings', () => {
    expect(doc.timings.totalMs).toBeGreaterThan(0);
    expect(doc.timings.ocrMs).toBeGreaterThan(0);
    expect(doc.timings.parseMs).toBeLessThanOrEqual(doc.timings.totalMs);
  });
});

describe('ingestPdf options', () => {
  it('leaves image-only pages empty and unmarked when OCR is off', async () => {
    const bytes = await createPdf([{ lines: ['Text page'] }, { imageLines: ['SCANNED TEXT HERE'] }]);
    const doc = await ingestPdf(bytes, { ...options, ocr: 'off' });
    expect(doc.pages[1]).toMatchObject({ text: '', ocr: false, ocrConfidence: null });
    expect(doc.ocrPages).toEqual([]);
    expect(doc.timings.ocrMs).toBe(0);
  });

  it(
    'OCRs no more pages than OCR_MAX_PAGES allows',
    async () => {
      const bytes = await createPdf([{ imageLines: ['FIRST SCANNED PAGE'] }, { imageLines: ['SECOND SCANNED PAGE'] }]);
      const doc = await ingestPdf(bytes, { ...options, ocrMaxPages: 1 });
      expect(doc.ocrPages).toEqual([1]);
      expect(doc.pages[1]!.text).toBe('');
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it(
    'gives up on pages that exceed OCR_PAGE_TIMEOUT_MS and keeps going',
    async () => {
      const bytes = await createPdf([
        { lines: ['A text page with a proper text layer on it.'] },
        { imageLines: ['FIRST SCAN'] },
        { imageLines: ['SECOND SCAN'] },
      ]);
      // No page can be read by OCR in 20 ms, so both are given up; the call returning at all (within the test's
      // generous timeout) shows it went on without waiting for them.
      const doc = await ingestPdf(bytes, { ...options, ocrPageTimeoutMs: 20 });
      expect(doc.ocrPages).toEqual([]);
      expect(doc.pages.map((p) => p.text)).toEqual(['A text page with a proper text layer on it.', '', '']);
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it(
    'stops OCR once OCR_DOCUMENT_TIMEOUT_MS is spent, even with page time left',
    async () => {
      const bytes = await createPdf([
        { lines: ['A text page with a proper text layer on it.'] },
        { imageLines: ['FIRST SCANNED PAGE'] },
        { imageLines: ['SECOND SCANNED PAGE'] },
      ]);
      const doc = await ingestPdf(bytes, { ...options, ocrDocumentTimeoutMs: 1, ocrPageTimeoutMs: 60_000 });
      expect(doc.ocrPages).toEqual([]);
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it('returns null labels when the PDF defines none', async () => {
    const doc = await ingestPdf(await createTextPdf(['one', 'two']), options);
    expect(doc.pages.map((p) => p.label)).toEqual([null, null]);
  });

  it('stops with RUN_ABORTED when its signal is aborted', async () => {
    const bytes = await createTextPdf(Array.from({ length: 50 }, (_, i) => `page ${i + 1}`));
    const controller = new AbortController();
    const run = ingestPdf(bytes, { ...options, signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'RUN_ABORTED' });
  });

  it(
    'stops OCR in progress with RUN_ABORTED when its signal is aborted',
    async () => {
      const bytes = await createPdf([{ imageLines: ['ONE'] }, { imageLines: ['TWO'] }, { imageLines: ['THREE'] }]);
      const controller = new AbortController();
      const run = ingestPdf(bytes, {
        ...options,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      });
      await expect(run).rejects.toMatchObject({ code: 'RUN_ABORTED' });
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it('leaves the caller’s bytes intact', async () => {
    const bytes = await createTextPdf(['still here']);
    const copy = bytes.slice();
    await ingestPdf(bytes, options);
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true);
  });

  it('accepts a Node Buffer (as uploads arrive) and leaves it intact', async () => {
    const buffer = Buffer.from(await createTextPdf(['from a buffer']));
    const before = Buffer.from(buffer);
    const doc = await ingestPdf(buffer, options);
    expect(doc.pages[0]!.text).toBe('from a buffer');
    expect(buffer.equals(before)).toBe(true);
  });
});
