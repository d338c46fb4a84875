import { describe, expect, it } from 'vitest';
import { boilerplateKey, detectBoilerplate } from '../../src/ingest/detect-boilerplate.js';

function page(n: number, body: string[]): string[] {
  return ['CITY OF EXAMPLE — SEWER REHABILITATION', ...body, `Page ${n} of 12`];
}

describe('detectBoilerplate', () => {
  it('finds a running header and a page-number footer that differ only in digits', () => {
    const pages = Array.from({ length: 12 }, (_, i) =>
      page(i + 1, [`Body text about topic ${String.fromCharCode(65 + i, 70 + i)}`]),
    );
    const found = detectBoilerplate(pages);
    expect(found[4]).toEqual(['CITY OF EXAMPLE — SEWER REHABILITATION', 'Page 5 of 12']);
    expect(found.every((lines) => lines.length === 2)).toBe(true);
  });

  it('does not flag body lines that repeat in the middle of pages', () => {
    const body = ['one', 'two', 'three', 'The contractor shall submit shop drawings.', 'four', 'five', 'six'];
    const pages = Array.from({ length: 10 }, () => body);
    const found = detectBoilerplate(pages);
    expect(found[0]).not.toContain('The contractor shall submit shop drawings.');
  });

  it('flags a section footer repeated on a short stretch of a long document', () => {
    const pages = Array.from({ length: 100 }, (_, i) =>
      i >= 40 && i < 44
        ? [`Body ${'a'.repeat(i)}`, `More ${'b'.repeat(i)}`, `SECTION 33 01 30.72 CIPP LINING - ${i - 39}`]
        : [`Unique ${'c'.repeat(i)}`, `Other ${'d'.repeat(i)}`, `Last ${'e'.repeat(i)}`],
    );
    expect(detectBoilerplate(pages)[41]).toEqual(['SECTION 33 01 30.72 CIPP LINING - 2']);
    expect(detectBoilerplate(pages)[10]).toEqual([]);
  });

  it('reports nothing for documents of one or two pages', () => {
    expect(detectBoilerplate([page(1, ['a']), page(2, ['b'])])).toEqual([[], []]);
  });
});

describe('boilerplateKey', () => {
  it('ignores digits, trailing roman page numbers, case and spacing', () => {
    expect(boilerplateKey('Page 3 of 72')).toBe(boilerplateKey('page  14 of 72'));
    expect(boilerplateKey('Contents ii')).toBe(boilerplateKey('Contents iv'));
    expect(boilerplateKey('- xiv -')).toBe(boilerplateKey('- 3 -'));
    expect(boilerplateKey('Appendix C')).not.toBe(boilerplateKey('Appendix D'));
  });
});
