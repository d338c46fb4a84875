import { describe, expect, it } from 'vitest';
import {
  buildPageTextIndex,
  formatFootnote,
  locateQuote,
  UNVERIFIED_CONFIDENCE_CAP,
  verifyCandidate,
} from '../../src/analysis/verify-citations.js';
import { createDocument, HEADER } from './page-factory.js';

const pages = createDocument(6, {
  2: [
    'The liner shall be “cured” in place using circulated hot water – not steam.',
    'The ﬁnal inspection shall include CCTV.',
  ],
  4: ['Liquidated damages shall be assessed at the rate of'],
  5: ['$1,500 per calendar day until completion.'],
});
const index = buildPageTextIndex(pages);

describe('citation verification', () => {
  it('accepts a quote on the cited page with other quote marks, dashes, ligatures, case and spacing', () => {
    const found = locateQuote(
      index,
      '"the liner shall be "cured" in place using circulated HOT water - not   steam."',
      [2],
    );
    expect(found).toHaveLength(1);
    expect(found?.[0]?.page).toBe(2);
    expect(pages[1]?.text.includes(found?.[0]?.text ?? '∅')).toBe(true);
    expect(locateQuote(index, 'The final inspection shall include CCTV', [2])?.[0]?.page).toBe(2);
  });

  it('moves a quote cited on the wrong page to the page that holds it', () => {
    const v = verifyCandidate(
      {
        question_id: 'Q1',
        answer: 'hot water',
        quotes: [{ text: 'in place using circulated hot water', pages: [5] }],
        confidence: 0.8,
      },
      index,
    );
    expect(v.pages).toEqual([2]);
    expect(v.quotes.map((q) => q.page)).toEqual([2]);
    expect(v.confidence).toBe(0.8);
  });

  it('splits a quote that runs over a page break into one quote per page, ignoring the running header', () => {
    const v = verifyCandidate(
      {
        question_id: 'Q1',
        answer: '$1,500 per day',
        quotes: [{ text: 'assessed at the rate of $1,500 per calendar day', pages: [4] }],
        confidence: 0.7,
      },
      index,
    );
    expect(v.pages).toEqual([4, 5]);
    expect(v.quotes.every((q) => !q.text.includes(HEADER))).toBe(true);
    expect(formatFootnote(v.quotes)).toBe('"assessed at the rate of $1,500 per calendar day" (pp. 4\u20135)');
  });

  it('drops an invented quote and lowers the confidence of the answer', () => {
    const v = verifyCandidate(
      {
        question_id: 'Q1',
        answer: 'hot water',
        quotes: [
          { text: 'using circulated hot water', pages: [2] },
          { text: 'curing shall last at least eight hours at 180 degrees', pages: [2] },
        ],
        confidence: 0.8,
      },
      index,
    );
    expect(v.quotes).toHaveLength(1);
    expect(v.droppedQuotes).toBe(1);
    expect(v.confidence).toBeLessThan(0.8);
  });

  it('keeps an answer with no verifiable quote but cites no page and caps its confidence', () => {
    const v = verifyCandidate(
      {
        question_id: 'Q1',
        answer: 'steam',
        quotes: [{ text: 'steam curing is mandatory for all liners', pages: [3] }],
        confidence: 0.9,
      },
      index,
    );
    expect(v.answer).toBe('steam');
    expect(v.pages).toEqual([]);
    expect(v.quotes).toEqual([]);
    expect(v.confidence).toBeLessThanOrEqual(UNVERIFIED_CONFIDENCE_CAP);
  });

  it('verifies each piece of a quote shortened with an ellipsis', () => {
    const ok = locateQuote(index, 'The liner shall be … not steam', [2]);
    expect(ok?.map((q) => q.page)).toEqual([2, 2]);
    expect(locateQuote(index, 'The liner shall be … made of gold', [2])).toBeNull();
  });

  it('formats footnotes as quotes with pages joined by semicolons', () => {
    expect(
      formatFootnote([
        { page: 12, text: 'shall be 6.0 mm\nthick.' },
        { page: 40, text: 'shall be 7.5 mm thick.' },
      ]),
    ).toBe('"shall be 6.0 mm thick." (p. 12); "shall be 7.5 mm thick." (p. 40)');
    expect(formatFootnote([])).toBeNull();
  });
});
