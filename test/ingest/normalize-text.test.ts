import { describe, expect, it } from 'vitest';
import { expandLigatures, joinHyphenatedLines, normalizePageLines } from '../../src/ingest/normalize-text.js';

describe('expandLigatures', () => {
  it('expands typographic ligatures and leaves every other character alone', () => {
    expect(expandLigatures('ﬁnish ﬂow eﬀort oﬃce baﬄe')).toBe('finish flow effort office baffle');
    expect(expandLigatures('½ in. – 6.0 mm² ™ “quoted”')).toBe('½ in. – 6.0 mm² ™ “quoted”');
  });
});

describe('joinHyphenatedLines', () => {
  it('joins a word hyphenated across a line break onto the first line', () => {
    expect(joinHyphenatedLines(['the reha-', 'bilitation of sewers'])).toEqual(['the rehabilitation', 'of sewers']);
  });

  it('keeps trailing punctuation with the joined word and drops a line left empty', () => {
    expect(joinHyphenatedLines(['pipe reha-', 'bilitation.', 'Next'])).toEqual(['pipe rehabilitation.', 'Next']);
  });

  it('keeps the hyphen of compound words, acronyms and codes', () => {
    expect(joinHyphenatedLines(['cured-in-', 'place pipe'])).toEqual(['cured-in-place', 'pipe']);
    expect(joinHyphenatedLines(['an FAA-', 'approved plan'])).toEqual(['an FAA-approved', 'plan']);
  });

  it('does not join when the next line starts with a capital letter or a digit', () => {
    expect(joinHyphenatedLines(['Section 02-', 'A applies'])).toEqual(['Section 02-', 'A applies']);
    expect(joinHyphenatedLines(['range 10-', '20 feet'])).toEqual(['range 10-', '20 feet']);
  });

  it('joins at a soft hyphen and removes soft hyphens elsewhere', () => {
    expect(joinHyphenatedLines(['inver\u00AD', 'sion of the liner', 'thick\u00ADness'])).toEqual([
      'inversion',
      'of the liner',
      'thickness',
    ]);
  });
});

describe('normalizePageLines', () => {
  it('collapses spacing, expands ligatures and joins hyphenation in one pass', () => {
    expect(normalizePageLines(['  the  ﬁnal  reha-', 'bilitation\u00A0work ', '   '])).toEqual([
      'the final rehabilitation',
      'work',
    ]);
  });
});
