/**
 * The PDF viewer's quote finder (src/web/public/viewer/quote-match.js, the browser module itself): where an
 * answer's quote is among a page's text-layer pieces, forgiving what a text layer changes (pieces split
 * anywhere, with or without space items; line-end hyphens; case; curly quotes; dashes; ligatures), and which
 * quote a footnote gives for each page. The same module drives the highlight in test/browser/document-viewer.test.ts.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain browser ES module without type declarations
import { findQuote, parseFootnote, quoteForPage, quoteFragments } from '../../src/web/public/viewer/quote-match.js';

interface Range {
  item: number;
  start: number;
  end: number;
}
interface Found {
  status: 'full' | 'partial' | 'none';
  ranges: Range[];
  fragments: number;
  found: number;
}
const find = (items: string[], quote: string): Found => findQuote(items, quote) as Found;

/** The highlighted text, piece by piece, joined with "|". */
function highlighted(items: string[], found: Found): string {
  return found.ranges.map((r) => (items[r.item] as string).slice(r.start, r.end)).join('|');
}

describe('finding a quote among a page’s text pieces', () => {
  const page = [
    'SECTION 33 01 30',
    ' ',
    'The minimum liner thickness shall be 6.0 mm',
    ' ',
    'for 8-inch pipe.',
    'The resin shall be polyester.',
  ];

  it('finds a quote inside one piece and highlights exactly its characters', () => {
    const found = find(page, 'liner thickness shall be 6.0 mm');
    expect(found.status).toBe('full');
    expect(found.ranges).toEqual([{ item: 2, start: 12, end: 43 }]);
    expect(highlighted(page, found)).toBe('liner thickness shall be 6.0 mm');
  });

  it('finds a quote that runs over several pieces, with or without space items between them', () => {
    const found = find(page, 'thickness shall be 6.0 mm for 8-inch pipe. The resin');
    expect(found.status).toBe('full');
    expect(found.ranges.map((r) => r.item)).toEqual([2, 4, 5]);
    expect(highlighted(page, found)).toBe('thickness shall be 6.0 mm|for 8-inch pipe.|The resin');
    // Pieces split mid-word by the text layer (no space item at all).
    const split = ['The mini', 'mum liner thick', 'ness shall be 6.0 mm'];
    expect(find(split, 'minimum liner thickness').status).toBe('full');
  });

  it('ignores case, curly quotes, dash forms, ligatures and runs of whitespace', () => {
    const items = ['The Contractor\u2019s \u201Cwarranty\u201D period \u2013 two years; e\uFB03cient  \u00A0 coverage'];
    expect(find(items, 'the contractor\'s "WARRANTY" period - two years; efficient coverage').status).toBe('full');
  });

  it('matches a word broken by a hyphen at a line end, and a quote written with a soft hyphen', () => {
    const items = ['All work shall be performed by the con-', 'tractor within 180 calendar days.'];
    const found = find(items, 'performed by the contractor within 180');
    expect(found.status).toBe('full');
    expect(highlighted(items, found)).toBe('performed by the con-|tractor within 180');
    expect(find(['the contractor shall'], 'the con\u00ADtractor shall').status).toBe('full');
  });

  it('strips the quote marks around a quote and finds each fragment of an elided quote', () => {
    const items = ['The liner shall conform to ASTM F1216.', 'Other text.', 'Testing per ASTM D790 is required.'];
    const found = find(items, '"The liner shall conform to ASTM F1216 ... Testing per ASTM D790"');
    expect(found).toMatchObject({ status: 'full', fragments: 2, found: 2 });
    expect(found.ranges.map((r) => r.item)).toEqual([0, 2]);
    expect(quoteFragments('"A long first part \u2026 and a second part."')).toEqual([
      'A long first part',
      'and a second part.',
    ]);
  });

  it('highlights the part on this page of a quote that runs over a page break', () => {
    const first = ['Heading', 'The contractor shall submit shop drawings for'];
    const second = ['all liner materials before installation.', 'Next paragraph.'];
    const quote = 'The contractor shall submit shop drawings for all liner materials before installation.';
    const onFirst = find(first, quote);
    expect(onFirst.status).toBe('partial');
    expect(highlighted(first, onFirst)).toBe('The contractor shall submit shop drawings for');
    const onSecond = find(second, quote);
    expect(onSecond.status).toBe('partial');
    expect(highlighted(second, onSecond)).toBe('all liner materials before installation.');
  });

  it('highlights most of a quote whose words the text layer has in another order (a table cell’s wrapped line)', () => {
    // The server read the cell as "… Proposal September 06, 2024 Clarifications"; the text layer has the
    // wrapped word first.
    const items = [
      'Deadline for Addendum August 16, 2024',
      'Submission of Owner Requested Proposal',
      'Clarifications',
      'September 06, 2024',
      'Award Design-Build Contract September 20, 2024',
    ];
    const found = find(
      items,
      'Deadline for Addendum August 16, 2024 Submission of Owner Requested Proposal September 06, 2024 Clarifications',
    );
    expect(found.status).toBe('partial');
    expect(highlighted(items, found)).toBe(
      'Deadline for Addendum August 16, 2024|Submission of Owner Requested Proposal|Clarifications|September 06, 2024',
    );
    // Scattered scraps far apart are not the quote.
    const far = [
      'Submission of Owner Requested',
      ...Array.from({ length: 30 }, (_, i) => `Line ${i} of unrelated text about the building.`),
      'Proposal September 06',
    ];
    expect(
      find(far, 'Submission of Owner Requested Proposal September 06, 2024 with the rest of a long sentence').status,
    ).toBe('none');
  });

  it('reports none when the quote is not on the page, or the page has no text (a scanned page)', () => {
    expect(find(page, 'liquidated damages of $500 per day')).toMatchObject({ status: 'none', ranges: [] });
    expect(find([], 'liner thickness').status).toBe('none');
    expect(find(['  ', ''], 'liner thickness').status).toBe('none');
    // A shared opening in the middle of a page is a coincidence, not the start of a quote running overleaf.
    const long = [
      'The resin shall be polyester.',
      ...Array.from({ length: 8 }, (_, i) => `${i + 1}. The work area shall be kept clean and safe.`),
    ];
    expect(find(long, 'The resin shall be epoxy vinyl ester from an approved maker').status).toBe('none');
    expect(find(long, 'shall be kept clean and safe. And more words that are on the next page').status).toBe('partial');
    expect(find(page, '').status).toBe('none');
  });
});

describe('reading a footnote’s quotes by page', () => {
  const footnote =
    '"The liner shall conform to ASTM F1216." (p. 2); "Testing per ASTM D790 "as modified" is required" (pp. 4\u20135); "Resin: polyester" (p. 2)';

  it('parses each quote with its page or page range, keeping quote marks inside a quote', () => {
    expect(parseFootnote(footnote)).toEqual([
      { text: 'The liner shall conform to ASTM F1216.', from: 2, to: 2 },
      { text: 'Testing per ASTM D790 "as modified" is required', from: 4, to: 5 },
      { text: 'Resin: polyester', from: 2, to: 2 },
    ]);
    expect(parseFootnote(null)).toEqual([]);
    expect(parseFootnote('no quotes here')).toEqual([]);
  });

  it('gives each page its own quotes (joined as fragments when a page has several), or null', () => {
    expect(quoteForPage(footnote, 2)).toBe('The liner shall conform to ASTM F1216. \u2026 Resin: polyester');
    expect(quoteForPage(footnote, 5)).toBe('Testing per ASTM D790 "as modified" is required');
    expect(quoteForPage(footnote, 3)).toBeNull();
    const both = find(
      ['The liner shall conform to ASTM F1216.', 'Resin: polyester'],
      quoteForPage(footnote, 2) as string,
    );
    expect(both).toMatchObject({ status: 'full', fragments: 2, found: 2 });
  });
});
