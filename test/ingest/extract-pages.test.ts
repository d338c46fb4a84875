import { describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { chooseWorkerCount, splitPageRanges } from '../../src/ingest/extract-pages.js';
import { ingestPdf } from '../../src/ingest/index.js';
import { createPdf, type PageSpec } from '../helpers/pdf-factory.js';

describe('splitting long documents over parse workers', () => {
  it('splits pages into contiguous ranges that cover every page once', () => {
    expect(splitPageRanges(10, 3)).toEqual([
      { firstPage: 1, lastPage: 3 },
      { firstPage: 4, lastPage: 6 },
      { firstPage: 7, lastPage: 10 },
    ]);
    expect(splitPageRanges(1, 1)).toEqual([{ firstPage: 1, lastPage: 1 }]);
  });

  it('uses one worker for short documents and at most one per core for long ones', () => {
    expect(chooseWorkerCount(72, 2)).toBe(1);
    expect(chooseWorkerCount(500, 2)).toBe(2);
    expect(chooseWorkerCount(1500, 1)).toBe(1);
    expect(chooseWorkerCount(100_000, 64)).toBe(4);
  });

  it('returns a split document in page order and OCRs the first scanned pages first', async () => {
    const pages: PageSpec[] = Array.from({ length: 320 }, (_, i) => ({ lines: [`Physical page ${i + 1} of the split document`] }));
    pages[299] = { imageLines: ['LATE SCANNED PAGE'] };
    pages[9] = { imageLines: ['EARLY SCANNED PAGE'] };
    const doc = await ingestPdf(await createPdf(pages), { ...testConfig().ingest, ocrMaxPages: 1 });
    expect(doc.pages.map((p) => p.pageNumber)).toEqual(pages.map((_, i) => i + 1));
    expect(doc.pages[200]!.text).toBe('Physical page 201 of the split document');
    expect(doc.pages[319]!.text).toBe('Physical page 320 of the split document');
    expect(doc.ocrPages).toEqual([10]);
    expect(doc.pages[9]!.text).toMatch(/EARLY SCANNED PAGE/);
    expect(doc.pages[299]!.text).toBe('');
  }, 90_000);
});
