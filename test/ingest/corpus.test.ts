/**
 * Real bid documents from ../shared/corpus (not part of the repository): skipped when absent.
 * Phrases were picked by reading this module's output once and checking each against the PDF by eye.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { ingestPdf } from '../../src/ingest/index.js';
import type { IngestedDocument } from '../../src/ingest/types.js';

const CORPUS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');
const PENHOLD = path.join(CORPUS_DIR, 'penhold_public_services_building_rfp_2024.pdf');
const CAMROSE = path.join(CORPUS_DIR, 'camrose_wdmlrl_shop_addition_rfp_2026.pdf');
const FAA = path.join(CORPUS_DIR, 'faa_nprm_2020-17221_boeing_737max_ad.pdf');

const options = { ...testConfig().ingest };
const ingestFile = (file: string) => ingestPdf(new Uint8Array(readFileSync(file)), options);
const textOf = (doc: IngestedDocument, page: number) => doc.pages[page - 1]!.text;

describe.skipIf(!existsSync(PENHOLD))('the Penhold RFP (72 pages, scanned appendices)', () => {
  let doc: IngestedDocument;
  beforeAll(async () => {
    doc = await ingestFile(PENHOLD);
  }, 120_000);

  it('has 72 pages with known phrases on the right pages', () => {
    expect(doc.pageCount).toBe(72);
    expect(textOf(doc, 1)).toContain('Closing Date: August 30');
    expect(textOf(doc, 10)).toContain('2.6 RFP Schedule');
    expect(textOf(doc, 9)).not.toContain('2.6 RFP Schedule');
  });

  it('OCRs exactly the scanned pages 51 to 56, despite their typed running header', () => {
    expect(doc.ocrPages).toEqual([51, 52, 53, 54, 55, 56]);
    expect(textOf(doc, 52)).toMatch(/Environmental Assessment/);
    expect(doc.pages[51]!.ocrConfidence).toBeGreaterThan(0.5);
  });

  it('marks the running header as boilerplate', () => {
    expect(doc.pages[9]!.boilerplateLines).toContain('Town of Penhold Request for Proposal');
  });
});

describe.skipIf(!existsSync(CAMROSE))('the Camrose RFP (25 pages)', () => {
  let doc: IngestedDocument;
  beforeAll(async () => {
    doc = await ingestFile(CAMROSE);
  }, 120_000);

  it('has 25 pages with known phrases on the right pages and needs no OCR', () => {
    expect(doc.pageCount).toBe(25);
    expect(textOf(doc, 2)).toContain('Table of Contents');
    expect(textOf(doc, 10)).toContain('2.10.6 Work required under guarantee shall');
    expect(doc.ocrPages).toEqual([]);
  });
});

describe.skipIf(!existsSync(FAA))('the FAA Federal Register notice (15 pages, three columns)', () => {
  let doc: IngestedDocument;
  beforeAll(async () => {
    doc = await ingestFile(FAA);
  }, 120_000);

  it('has 15 pages and reads the three columns column by column', () => {
    expect(doc.pageCount).toBe(15);
    const page3 = textOf(doc, 3);
    expect(page3).toContain('Finally, operators with an existing FAA-approved\nMEL would be required to');
    expect(page3).toContain('Proposed Design Changes\nThe FAA proposes mandating the');
  });

  it('OCRs the page that is an image of the flight-manual revision', () => {
    expect(doc.ocrPages).toContain(8);
    expect(textOf(doc, 8)).toMatch(/Airspeed Unreliable/);
  });
});
