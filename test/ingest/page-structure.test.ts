import { describe, expect, it } from 'vitest';
import { buildPageStructure, classifyHeading } from '../../src/ingest/page-structure.js';

describe('classifyHeading', () => {
  it('reads CSI sections and documents, parts, articles, paragraphs and subparagraphs with their levels', () => {
    expect(classifyHeading('SECTION 12 34 56.78')).toEqual({ level: 1, number: 'SECTION 12 34 56.78', title: '' });
    expect(classifyHeading('DOCUMENT 00 11 22 - WIDGET TERMS')).toMatchObject({
      level: 1,
      number: 'DOCUMENT 00 11 22',
      title: 'WIDGET TERMS',
    });
    expect(classifyHeading('PART 2 – PRODUCTS')).toMatchObject({ level: 2, number: 'PART 2', title: 'PRODUCTS' });
    expect(classifyHeading('2.03 GADGET ASSEMBLY')).toMatchObject({
      level: 3,
      number: '2.03',
      title: 'GADGET ASSEMBLY',
    });
    expect(classifyHeading('4.2 Scope of Services')).toMatchObject({
      level: 3,
      number: '4.2',
      title: 'Scope of Services',
    });
    expect(classifyHeading('A. Sprocket Finish')).toMatchObject({ level: 4, number: 'A.', title: 'Sprocket Finish' });
    expect(classifyHeading('B. Work Included: The work of this section includes:')).toMatchObject({
      level: 4,
      number: 'B.',
      title: 'Work Included',
    });
    expect(classifyHeading('C. The vendor shall paint every sprocket.')).toMatchObject({
      level: 4,
      number: 'C.',
      title: '',
    });
    expect(classifyHeading('3. Deliver sprockets in crates.')).toMatchObject({ level: 5, number: '3.' });
  });

  it("does not take a run-in title wrapped with its paragraph's first words for a heading", () => {
    expect(classifyHeading('6.02 Progress Payments. The')).toBeNull();
    expect(classifyHeading('6.02 Progress Payments')).toMatchObject({ level: 3, number: '6.02' });
  });

  it('does not take a sentence that starts with a number, or a contents line, for a heading', () => {
    expect(
      classifyHeading('2.5 inches of cover shall be maintained over the sprocket housing at all times.'),
    ).toBeNull();
    expect(classifyHeading('1.4 GADGET TESTING ........................ 12')).toBeNull();
    expect(classifyHeading('The vendor shall paint every sprocket')).toBeNull();
  });
});

describe('buildPageStructure', () => {
  it('calls a page holding only a blank notice blank', () => {
    expect(
      buildPageStructure(['Widget Project 7', 'THIS PAGE INTENTIONALLY LEFT BLANK', 'Page 4'], ['Widget Project 7'], 4)
        .role,
    ).toBe('blank');
  });

  it('calls a page of dot-leader entries a table of contents', () => {
    const lines = [
      'CONTENTS',
      ...Array.from({ length: 8 }, (_, i) => `${i + 1}.0 Gadget Topic Number ${i + 1} .............. ${i + 3}`),
    ];
    expect(buildPageStructure(lines, [], 2).role).toBe('toc');
  });

  it('calls a page of labels and fill-in blanks a form', () => {
    const lines = [
      'The undersigned offers to supply sprockets as described.',
      'Company Name: ______________',
      'Signature: ______________',
      'Printed Name: ______________',
      'Title: ______________',
      'Date: ______________',
    ];
    expect(buildPageStructure(lines, [], 20).role).toBe('form');
  });

  it('calls a page with a bid-item header and priced rows a bid schedule', () => {
    const rows = Array.from(
      { length: 6 },
      (_, i) => `G-${i + 1} Sprocket type ${i + 1} ${10 * (i + 1)} EA $ ______ $ ______`,
    );
    expect(buildPageStructure(['Item No. Description Quantity Unit Unit Price Extension', ...rows], [], 30).role).toBe(
      'bid_schedule',
    );
  });

  it('calls a short first page without numbered articles a cover, and a numbered page body', () => {
    expect(
      buildPageStructure(
        ['TOWN OF EXAMPLEVILLE', 'GADGET REPLACEMENT PROJECT', 'CONTRACT DOCUMENTS', 'March 2030'],
        [],
        1,
      ).role,
    ).toBe('cover');
    expect(
      buildPageStructure(
        ['1.1 SCOPE', 'A. The vendor shall supply and install gadgets at every station listed in the schedule.'],
        [],
        1,
      ).role,
    ).toBe('body');
  });

  it('marks lines with several cells as table rows when pdf.js gave cell counts', () => {
    const lines = ['Property Method Value', 'Tensile strength ASTM X-1 900 psi', 'The values above are minimums.'];
    const s = buildPageStructure(lines, [], 5, [
      { size: 10, cells: 3 },
      { size: 10, cells: 4 },
      { size: 10, cells: 1 },
    ]);
    expect(s.tableRows).toEqual([0, 1]);
    expect(s.tableCells).toEqual([3, 4]);
    // Without positions the cells are unknown, and not stored.
    expect(buildPageStructure(lines, [], 5).tableCells).toBeUndefined();
  });

  it('does not take a sentence wrapped in mid-clause for a table row, whatever gaps its words have', () => {
    const lines = [
      '2. Umbrella Liability insurance with limits not less than $5,000,000 each',
      'occurrence, and $10,000,000 aggregate, for the term of the Contract.',
      'Item Unit Amount',
      'Flagging EA $ 1,200.00',
    ];
    const s = buildPageStructure(lines, [], 5, [
      { size: 10, cells: 2 },
      { size: 10, cells: 1 },
      { size: 10, cells: 3 },
      { size: 10, cells: 3 },
    ]);
    expect(s.tableRows).toEqual([2, 3]);
  });

  it('keeps a section number line as a heading even when it repeats like a running header', () => {
    const s = buildPageStructure(['SECTION 11 22 33', 'GADGETS', '1.1 SUMMARY'], ['SECTION 11 22 33'], 9);
    expect(s.headings.map((h) => h.number)).toEqual(['SECTION 11 22 33', null, '1.1']);
  });
});
