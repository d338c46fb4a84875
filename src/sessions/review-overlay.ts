/**
 * Reviewers' verdicts laid over a result at read time. The machine's stored answer (result_data,
 * accumulated_answers) is never overwritten: each question's latest answer_reviews row decides what results
 * and exports show, and `machine_answer` keeps what the engine said whenever a reviewer changed it.
 *
 * Per action (the latest row; `reset` = no review):
 * - accept: the machine's answer unchanged, `review.status` "accepted". The row keeps the answer and pages the
 *           reviewer accepted; if the machine's answer changes afterwards (a run still going merges a later find,
 *           a re-run pass), the accepted one stays shown — with its quote when the machine kept it as a variant —
 *           and the new one goes to `machine_answer`: what a person accepted is never swapped silently.
 * - edit:   the reviewer's text and pages; answer_status "answered"; confidence 1 (a person vouched for it);
 *           footnote `"<text>" (p. N)` when the text was found on those pages (verified), else null, and
 *           `review.verified` false, shown as unverified. Variants (other places the engine found) are kept.
 * - reject: "not in the document": answer null, no pages, footnote or variants, confidence 0, and
 *           answer_status "not_found" (a person looked and it is absent), `review.status` "rejected".
 * Counts (questions_answered, average confidence) are recomputed over the reviewed answers.
 */
import type { AnswerReview } from '../db/queries/reviews.js';
import type {
  FullResult,
  LegacyResult,
  MachineAnswer,
  QuestionAnswer,
  ReviewInfo,
  ReviewSummary,
} from '../analysis/types.js';
import { answerStatusOf } from '../analysis/build-result.js';

const STATUS_OF_ACTION = { accept: 'accepted', edit: 'edited', reject: 'rejected' } as const;

export function toReviewInfo(r: AnswerReview): ReviewInfo | null {
  if (r.action === 'reset') return null;
  return {
    status: STATUS_OF_ACTION[r.action],
    by: r.reviewerEmail,
    at: r.createdAt.toISOString(),
    note: r.note,
    review_id: r.reviewId,
    // Edits, and accepts of an edit (which carry the edit's check): whether the text was found on its pages.
    verified: r.action === 'edit' ? (r.verified ?? false) : r.action === 'accept' ? r.verified : null,
  };
}

function machineAnswerOf(a: QuestionAnswer): MachineAnswer {
  return {
    answer: a.answer,
    page_citations: a.answer === null ? [] : [...a.pages],
    confidence: a.confidence,
    footnote: a.answer === null ? null : a.footnote,
  };
}

/** "(p. 12)" / "(pp. 12, 14)", as in engine footnotes. */
function pageRef(pages: readonly number[]): string {
  return pages.length === 1 ? `(p. ${pages[0]})` : `(pp. ${pages.join(', ')})`;
}

/** One question's answer with its latest review applied (unchanged, with `review: null`, when there is none). */
export function applyReview(a: QuestionAnswer, latest: AnswerReview | undefined): QuestionAnswer {
  const review = latest ? toReviewInfo(latest) : null;
  if (!latest || !review) return { ...a, review: null };
  switch (latest.action) {
    case 'accept': {
      // An accepted edit (verified is set only then) shows as the edit did, with the accepted status.
      if (latest.verified !== null) return { ...applyReview(a, { ...latest, action: 'edit' }), review };
      const pinned = latest.answer;
      const samePages = (latest.pages ?? []).join(',') === a.pages.join(',');
      if (pinned === null || (pinned === a.answer && samePages)) return { ...a, review };
      const kept = a.variants.find((v) => v.answer === pinned);
      return {
        ...a,
        answer: pinned,
        value: null,
        pages: [...(latest.pages ?? kept?.pages ?? [])],
        confidence: kept?.confidence ?? a.confidence,
        footnote: kept?.footnote ?? null,
        quotes: kept?.quotes ?? [],
        variants: a.variants.filter((v) => v !== kept),
        answer_status: 'answered',
        review,
        machine_answer: machineAnswerOf(a),
      };
    }
    case 'edit': {
      const text = latest.answer ?? '';
      const pages = [...(latest.pages ?? [])];
      const verified = review.verified === true && pages.length > 0;
      return {
        ...a,
        answer: text,
        value: null,
        pages,
        confidence: 1,
        footnote: verified ? `"${text}" ${pageRef(pages)}` : null,
        quotes: verified ? pages.map((page) => ({ page, text })) : [],
        answer_status: 'answered',
        review,
        machine_answer: machineAnswerOf(a),
      };
    }
    default:
      return {
        ...a,
        answer: null,
        value: null,
        pages: [],
        confidence: 0,
        footnote: null,
        quotes: [],
        variants: [],
        answer_status: 'not_found',
        review,
        machine_answer: machineAnswerOf(a),
      };
  }
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/**
 * The full and legacy results with every question's review applied, counts recomputed and `review_summary`
 * added. With no reviews the answers are unchanged (each carries `review: null`).
 */
export function applyReviews(
  full: FullResult,
  legacy: LegacyResult,
  reviews: ReadonlyMap<string, AnswerReview>,
): { full: FullResult; legacy: LegacyResult } {
  const sections = full.sections.map((s) => ({
    ...s,
    answers: s.answers.map((a) => applyReview(a, reviews.get(a.question_id))),
  }));
  const all = sections.flatMap((s) => s.answers);
  const answered = all.filter((a) => a.answer !== null);
  const summary: ReviewSummary = { reviewed: all.filter((a) => a.review).length, total: all.length };
  const anyChange = all.some((a) => a.machine_answer);
  const stats = anyChange
    ? {
        ...full.stats,
        questions_answered: answered.length,
        average_confidence: round4(
          answered.length === 0 ? 0 : answered.reduce((sum, a) => sum + a.confidence, 0) / answered.length,
        ),
      }
    : full.stats;
  const reviewed: FullResult = { ...full, sections, stats, review_summary: summary };

  const byId = new Map(all.map((a) => [a.question_id, a]));
  const reviewedLegacy: LegacyResult = {
    ...legacy,
    questions_answered: anyChange ? stats.questions_answered : legacy.questions_answered,
    review_summary: summary,
    sections: legacy.sections.map((s) => ({
      ...s,
      questions: s.questions.map((q) => {
        const a = byId.get(q.question_id);
        if (!a?.review) return { ...q, review: null };
        if (!a.machine_answer) return { ...q, review: a.review };
        return {
          ...q,
          answer: a.answer,
          page_citations: [...a.pages],
          confidence: a.confidence,
          footnote: a.footnote,
          answer_status: answerStatusOf(a),
          review: a.review,
          machine_answer: a.machine_answer,
        };
      }),
    })),
  };
  return { full: reviewed, legacy: reviewedLegacy };
}
