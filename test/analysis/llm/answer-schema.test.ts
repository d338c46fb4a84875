import { describe, expect, it } from 'vitest';
import { parseAnswerContent } from '../../../src/analysis/llm/answer-schema.js';

const ITEM = {
  question_id: 'Q12',
  answer: '6.0 mm',
  quote: 'The liner shall be 6.0 mm thick.',
  pages: [12],
  confidence: 0.9,
};

describe('answer schema', () => {
  it('reads a well-formed answers object without repairs', () => {
    const result = parseAnswerContent(JSON.stringify({ answers: [ITEM] }));
    expect(result).toEqual({ ok: true, repaired: false, answers: [ITEM] });
  });

  it('extracts the JSON object from a ```json fence with prose around it', () => {
    const content = `Here are the answers:\n\`\`\`json\n${JSON.stringify({ answers: [ITEM] }, null, 2)}\n\`\`\`\nLet me know if you need more.`;
    const result = parseAnswerContent(content);
    expect(result).toMatchObject({ ok: true, repaired: true, answers: [ITEM] });
  });

  it('extracts the JSON object when text trails it and a trailing comma is present', () => {
    const content = `{"answers":[{"question_id":"Q12","answer":"6.0 mm","quote":"The liner {nominal} shall be 6.0 mm thick.","pages":[12],"confidence":0.9},]} I hope this helps.`;
    const result = parseAnswerContent(content);
    expect(result.ok && result.answers[0]?.quote).toBe('The liner {nominal} shall be 6.0 mm thick.');
  });

  it('coerces numeric strings, percentages, page ranges and missing fields', () => {
    const content = JSON.stringify({
      answers: [
        { question_id: 12, answer: 6, quote: 'shall be 6 mm', pages: '12-13', confidence: '85%' },
        { question_id: 'Q13', answer: 'Yes', quote: 'Bid bond required.', pages: ['4', 7], confidence: '0.7' },
        { question_id: 'Q14', answer: 'ASTM F1216' },
        { question_id: 'Q15', answer: 'Not found', quote: 'x', pages: [3], confidence: 0.8 },
        { question_id: 'Q16', answer: 'Ten days', confidence: 90, pages: 9 },
      ],
    });
    const result = parseAnswerContent(content);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.answers).toEqual([
      { question_id: '12', answer: '6', quote: 'shall be 6 mm', pages: [12, 13], confidence: 0.85 },
      { question_id: 'Q13', answer: 'Yes', quote: 'Bid bond required.', pages: [4, 7], confidence: 0.7 },
      { question_id: 'Q14', answer: 'ASTM F1216', quote: null, pages: [], confidence: 0.5 },
      { question_id: 'Q15', answer: null, quote: null, pages: [], confidence: 0 },
      { question_id: 'Q16', answer: 'Ten days', quote: null, pages: [9], confidence: 0.9 },
    ]);
  });

  it('accepts a bare array and an object keyed by question id', () => {
    const bare = parseAnswerContent(JSON.stringify([ITEM]));
    expect(bare.ok && bare.answers[0]?.question_id).toBe('Q12');
    const keyed = parseAnswerContent(
      JSON.stringify({ Q12: { answer: '6.0 mm', quote: ITEM.quote, pages: [12], confidence: 0.9 } }),
    );
    expect(keyed.ok && keyed.answers[0]).toEqual(ITEM);
  });

  it('skips items without a question id but keeps the rest', () => {
    const result = parseAnswerContent(JSON.stringify({ answers: [{ answer: 'orphan' }, ITEM] }));
    expect(result).toMatchObject({ ok: true, repaired: true, answers: [ITEM] });
  });

  it('reports unusable output so the engine can ask again', () => {
    expect(parseAnswerContent('')).toMatchObject({ ok: false });
    expect(parseAnswerContent('I could not find the answers in the excerpts.')).toMatchObject({
      ok: false,
      error: 'the response was not valid JSON',
    });
    expect(parseAnswerContent('{"answers": "none"}')).toMatchObject({ ok: false });
    expect(parseAnswerContent('{"answers":[{"answer":"x"}]}')).toMatchObject({ ok: false });
  });
});
