import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { chooseWorkerCount, PageOrderGate } from '../../src/ingest/extract-pages.js';
import { ingestPdf } from '../../src/ingest/index.js';
import { parseWorkerPool } from '../../src/ingest/parse-worker-pool.js';
import { createPdf, type PageSpec } from '../helpers/pdf-factory.js';
import { OCR_PAGE_BOUND_MS } from '../helpers/bounded-wait.js';

describe('splitting long documents over parse workers', () => {
  it('passes page images on in page order, whatever order the pages arrive in', () => {
    const passed: Array<[number, string | null]> = [];
    const gate = new PageOrderGate(10, (page, png) => passed.push([page, png ? new TextDecoder().decode(png) : null]));
    const png = (text: string) => new TextEncoder().encode(text);
    gate.arrived(3, png('three'));
    gate.arrived(2, null);
    expect(passed).toEqual([]); // page 1 is not in yet
    gate.arrived(1, png('one'));
    expect(passed).toEqual([
      [1, 'one'],
      [3, 'three'],
    ]);
    gate.arrived(5, png('five'));
    gate.arrived(4, null);
    expect(passed.map(([page]) => page)).toEqual([1, 3, 5]);
  });

  it('caps the images at the first scanned pages and still reports the rest, without an image', () => {
    const passed: Array<[number, boolean]> = [];
    const gate = new PageOrderGate(1, (page, png) => passed.push([page, png !== null]));
    gate.arrived(2, new Uint8Array([2]));
    gate.arrived(1, new Uint8Array([1]));
    expect(passed).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('uses one worker for short documents and at most one per core for long ones', () => {
    expect(chooseWorkerCount(72, 2)).toBe(1);
    expect(chooseWorkerCount(199, 2)).toBe(1);
    expect(chooseWorkerCount(500, 2)).toBe(2);
    expect(chooseWorkerCount(1500, 1)).toBe(1);
    expect(chooseWorkerCount(100_000, 64)).toBe(4);
  });

  it(
    'returns a document read by several workers in page order and OCRs the first scanned pages first',
    async () => {
      const pages: PageSpec[] = Array.from({ length: 320 }, (_, i) => ({
        lines: [`Physical page ${i + 1} of the split document`],
      }));
      pages[299] = { imageLines: ['LATE SCANNED PAGE'] };
      pages[9] = { imageLines: ['EARLY SCANNED PAGE'] };
      const before = parseWorkerPool.stats();
      const doc = await ingestPdf(await createPdf(pages), {
        ...testConfig().ingest,
        ocrMaxPages: 1,
        ocrPageTimeoutMs: OCR_PAGE_BOUND_MS,
      });
      const workers =
        parseWorkerPool.stats().coldStarts + parseWorkerPool.stats().warmStarts - before.coldStarts - before.warmStarts;
      expect(workers).toBe(chooseWorkerCount(320, os.availableParallelism())); // 2 on a 2-core machine
      expect(doc.pages.map((p) => p.pageNumber)).toEqual(pages.map((_, i) => i + 1));
      expect(doc.pages[200]!.text).toBe('Physical page 201 of the split document');
      expect(doc.pages[319]!.text).toBe('Physical page 320 of the split document');
      expect(doc.ocrPages).toEqual([10]);
      expect(doc.pages[9]!.text).toMatch(/EARLY SCANNED PAGE/);
      expect(doc.pages[299]!.text).toBe('');
    },
    2 * OCR_PAGE_BOUND_MS,
  );
});
