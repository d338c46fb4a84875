import { describe, expect, it } from 'vitest';
import { buildOutline } from '../../src/analysis/outline.js';
import { buildPassages } from '../../src/analysis/passages.js';
import type { IngestedPage } from '../../src/ingest/types.js';

function page(pageNumber: number, lines: string[]): IngestedPage {
  return { pageNumber, label: null, text: lines.join('\n'), boilerplateLines: [], ocr: false, ocrConfidence: null };
}

const doc = [
  page(1, [
    'SECTION 11 22 33',
    'GADGET INSURANCE',
    'PART 1 – GENERAL',
    '1.03 LIMITS',
    'A. The vendor shall carry liability cover of two million dollars per occurrence.',
  ]),
  page(2, [
    'for every gadget installed under this contract and kept in force until final acceptance.',
    'B. Umbrella Cover',
    'The umbrella policy shall follow the form of the primary policy.',
  ]),
  page(3, ['THIS PAGE INTENTIONALLY LEFT BLANK']),
];

describe('buildOutline', () => {
  it('gives every line the heading path in force, carried over a page break', () => {
    const outline = buildOutline(doc);
    expect(outline.pages.get(1)?.pathAt[4]).toBe('11 22 33 Gadget Insurance › PART 1 General › 1.03 Limits › A.');
    expect(outline.pages.get(2)?.pathAt[0]).toBe('11 22 33 Gadget Insurance › PART 1 General › 1.03 Limits › A.');
    expect(outline.pages.get(2)?.pathAt[2]).toBe(
      '11 22 33 Gadget Insurance › PART 1 General › 1.03 Limits › B. Umbrella Cover',
    );
    expect(outline.pages.get(3)?.role).toBe('blank');
  });

  it('makes every page of a section titled as a form a form page', () => {
    const outline = buildOutline([
      page(1, [
        'SECTION 00 44 55',
        'GADGET BID BOND FORM',
        'KNOW ALL BY THESE PRESENTS that the undersigned principal and surety are bound.',
      ]),
      page(2, [
        'The surety waives notice of any change to the gadget contract.',
        'In witness whereof the parties have signed below.',
      ]),
    ]);
    expect(outline.pages.get(2)?.role).toBe('form');
  });
});

describe('buildPassages with structure', () => {
  it('gives each passage and sentence its heading path and marks heading lines as headings', () => {
    const set = buildPassages(doc);
    const limits = set.sentences.find((s) => s.text.startsWith('A. The vendor'));
    expect(limits?.headingPath).toContain('1.03 Limits');
    expect(set.sentences.find((s) => s.text === '1.03 LIMITS')?.heading).toBe(true);
    expect(set.passages.every((p) => typeof p.headingPath === 'string' && typeof p.role === 'string')).toBe(true);
  });

  it('analyses pages stored without structure (older versions) by deriving it from the text', () => {
    expect(doc.every((p) => p.structure === undefined)).toBe(true);
    expect(buildPassages(doc).sentences.some((s) => s.headingPath.includes('Gadget Insurance'))).toBe(true);
  });
});
