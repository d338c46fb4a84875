import { describe, expect, it } from 'vitest';
import { accumulateAnswers, mergeAnswers } from '../../src/analysis/accumulate.js';
import type { QuestionAnswer } from '../../src/analysis/types.js';

function answer(partial: Partial<QuestionAnswer> & Pick<QuestionAnswer, 'answer' | 'pages'>): QuestionAnswer {
  return {
    question_id: 'Q6',
    section_id: 'general',
    question: 'What are the submission deadlines for bids?',
    expected_type: 'date',
    value: null,
    confidence: 0.7,
    footnote: null,
    quotes: partial.pages.map((p) => ({ page: p, text: `bids are due ${partial.answer ?? ''}` })),
    variants: [],
    ocr: false,
    ...partial,
  };
}

describe('accumulation', () => {
  it('treats "15 July 2024" and "July 15, 2024" as one answer and unites their pages', () => {
    const merged = mergeAnswers(
      answer({ answer: 'July 15, 2024', pages: [3], confidence: 0.6 }),
      answer({ answer: '15 July 2024', pages: [41], confidence: 0.8 }),
    );
    expect(merged.answer).toBe('15 July 2024');
    expect(merged.pages).toEqual([3, 41]);
    expect(merged.variants).toEqual([]);
    expect(merged.confidence).toBe(0.8);
    expect(merged.footnote).toContain('(p. 3)');
    expect(merged.footnote).toContain('(p. 41)');
  });

  it('keeps a genuinely different answer as a variant, best-supported first', () => {
    const merged = mergeAnswers(
      answer({ answer: 'July 15, 2024', pages: [3], confidence: 0.6 }),
      answer({ answer: 'July 25, 2024', pages: [40], confidence: 0.75 }),
    );
    expect(merged.answer).toBe('July 25, 2024');
    expect(merged.pages).toEqual([40]);
    expect(merged.variants.map((v) => [v.answer, v.pages])).toEqual([['July 15, 2024', [3]]]);
    expect(merged.variants[0]?.footnote).toBe('"bids are due July 15, 2024" (p. 3)');
  });

  it('compares numbers by value and unit, not spelling', () => {
    const base = { question_id: 'Q3', expected_type: 'number' as const };
    const same = mergeAnswers(
      answer({ ...base, answer: '12,500 LF', pages: [2] }),
      answer({ ...base, answer: '12500 linear feet', pages: [9] }),
    );
    expect(same.variants).toEqual([]);
    expect(same.pages).toEqual([2, 9]);
    const different = mergeAnswers(
      answer({ ...base, answer: '12,500 LF', pages: [2] }),
      answer({ ...base, answer: '13,100 LF', pages: [9], confidence: 0.5 }),
    );
    expect(different.variants.map((v) => v.answer)).toEqual(['13,100 LF']);
  });

  it('never replaces an answer with an abstention and ignores weak variants', () => {
    const found = answer({ answer: 'July 15, 2024', pages: [3] });
    expect(mergeAnswers(found, answer({ answer: null, pages: [], confidence: 0.1 }))).toBe(found);
    const weak = mergeAnswers(found, answer({ answer: 'July 30, 2024', pages: [8], confidence: 0.2 }));
    expect(weak.variants).toEqual([]);
  });

  it('folds a batch into the accumulator and returns the merged answers it touched', () => {
    const acc = new Map<string, QuestionAnswer>([['Q6', answer({ answer: 'July 15, 2024', pages: [3] })]]);
    const touched = accumulateAnswers(acc, [answer({ answer: 'July 15, 2024', pages: [5] })]);
    expect(touched).toHaveLength(1);
    expect(acc.get('Q6')?.pages).toEqual([3, 5]);
  });
});
