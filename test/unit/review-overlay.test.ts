import { describe, expect, it } from 'vitest';
import { toLegacyResult } from '../../src/analysis/build-result.js';
import type { AnswerReview, ReviewAction } from '../../src/db/queries/reviews.js';
import { applyReviews } from '../../src/sessions/review-overlay.js';
import { makeFullResult } from '../export/result-factory.js';

let nextId = 1;
function row(questionId: string, action: ReviewAction, extra: Partial<AnswerReview> = {}): AnswerReview {
  return {
    reviewId: nextId++,
    sessionId: 's',
    questionId,
    action,
    answer: null,
    pages: null,
    note: null,
    verified: null,
    reviewerId: 'u1',
    reviewerEmail: 'r@example.com',
    createdAt: new Date('2026-12-07T12:00:00.000Z'),
    ...extra,
  };
}

describe('laying reviews over a result', () => {
  const machine = makeFullResult({ sections: 1, questionsPerSection: 4, unansweredEvery: 100, variantEvery: 100 });
  const legacy = toLegacyResult(machine);
  const ids = machine.sections[0]!.answers.map((a) => a.question_id);

  it('leaves answers and counts unchanged without reviews, each question with review null', () => {
    const r = applyReviews(machine, legacy, new Map());
    expect(r.full.stats).toEqual(machine.stats);
    expect(r.legacy.questions_answered).toBe(legacy.questions_answered);
    expect(r.legacy.review_summary).toEqual({ reviewed: 0, total: 4 });
    r.legacy.sections[0]!.questions.forEach((q, i) =>
      expect(q).toEqual({ ...legacy.sections[0]!.questions[i], review: null }),
    );
  });

  it('treats a reset as no review', () => {
    const r = applyReviews(machine, legacy, new Map([[ids[0]!, row(ids[0]!, 'reset')]]));
    expect(r.legacy.sections[0]!.questions[0]).toEqual({ ...legacy.sections[0]!.questions[0], review: null });
    expect(r.full.review_summary).toEqual({ reviewed: 0, total: 4 });
  });

  it('recounts answered questions after a rejection and keeps the machine answer beside it', () => {
    const r = applyReviews(machine, legacy, new Map([[ids[1]!, row(ids[1]!, 'reject', { note: 'absent' })]]));
    const q = r.legacy.sections[0]!.questions[1]!;
    expect(q).toMatchObject({
      answer: null,
      page_citations: [],
      footnote: null,
      answer_status: 'not_found',
      review: { status: 'rejected', note: 'absent', by: 'r@example.com' },
    });
    expect(q.machine_answer).toEqual({
      answer: machine.sections[0]!.answers[1]!.answer,
      page_citations: machine.sections[0]!.answers[1]!.pages,
      confidence: machine.sections[0]!.answers[1]!.confidence,
      footnote: machine.sections[0]!.answers[1]!.footnote,
    });
    expect(r.legacy.questions_answered).toBe(3);
    expect(r.full.stats.questions_answered).toBe(3);
    expect(r.full.review_summary).toEqual({ reviewed: 1, total: 4 });
    // The machine's result is not touched.
    expect(machine.sections[0]!.answers[1]!.answer).not.toBeNull();
  });

  it('shows an unverified edit without a footnote and a verified one with its quote', () => {
    const r = applyReviews(
      machine,
      legacy,
      new Map([
        [ids[2]!, row(ids[2]!, 'edit', { answer: '9 mm', pages: [5], verified: false })],
        [ids[3]!, row(ids[3]!, 'edit', { answer: 'shall be 6 mm', pages: [4, 5], verified: true })],
      ]),
    );
    const [, , unverified, verified] = r.full.sections[0]!.answers;
    expect(unverified).toMatchObject({
      answer: '9 mm',
      pages: [5],
      footnote: null,
      quotes: [],
      confidence: 1,
      review: { status: 'edited', verified: false },
    });
    expect(verified).toMatchObject({
      answer: 'shall be 6 mm',
      footnote: '"shall be 6 mm" (pp. 4, 5)',
      review: { status: 'edited', verified: true },
    });
  });
});
