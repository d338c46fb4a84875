/**
 * The format-neutral view of a result that every writer renders: totals, per-section rates and row texts.
 * Counts come from the sections in the result (the questions actually analysed), so every file agrees with its own
 * rows.
 */
import type { AnswerVariant, FullResult, QuestionAnswer, SectionResult } from '../analysis/types.js';

export const NOT_FOUND_TEXT = 'Not found in document';
export const STATUS_ANSWERED = 'Answered';
export const STATUS_NOT_FOUND = 'Not found';
export const STATUS_VARIANT = 'Variant';
/** A question the run stopped or failed before reaching: never looked for, so not "not found". */
export const NOT_EXAMINED_TEXT = 'Not examined (the run ended before this question)';
export const STATUS_NOT_EXAMINED = 'Not examined';

/**
 * Unanswered questions only: whether the run looked for it. Results stored before answer_status count as looked for.
 */
export function isNotExamined(answer: QuestionAnswer): boolean {
  return !isAnswered(answer) && answer.answer_status === 'not_examined';
}

/** The text shown in place of an answer. */
export function unansweredText(answer: QuestionAnswer): string {
  return isNotExamined(answer) ? NOT_EXAMINED_TEXT : NOT_FOUND_TEXT;
}

/** The status column's text. */
export function statusText(answer: QuestionAnswer): string {
  if (isAnswered(answer)) return STATUS_ANSWERED;
  return isNotExamined(answer) ? STATUS_NOT_EXAMINED : STATUS_NOT_FOUND;
}

export interface ExportTotals {
  totalQuestions: number;
  answered: number;
  /** 0..1; 0 when there are no questions. */
  answerRate: number;
  /** 0..1 over answered questions; 0 when none is answered. */
  averageConfidence: number;
  processingTimeS: number;
  totalTokens: number;
  costUsd: number;
  variantCount: number;
}

export interface SectionSummary {
  section: SectionResult;
  total: number;
  answered: number;
  answerRate: number;
}

export function isAnswered(answer: QuestionAnswer): answer is QuestionAnswer & { answer: string } {
  return answer.answer !== null && answer.answer.trim() !== '';
}

export function formatPages(pages: readonly number[]): string {
  return pages.join(', ');
}

/** "p. 12" / "pp. 12, 13" — used after variant texts and quotes. */
export function formatPageRef(pages: readonly number[]): string {
  if (pages.length === 0) return 'page not recorded';
  return pages.length === 1 ? `p. ${pages[0]}` : `pp. ${formatPages(pages)}`;
}

export function formatPercent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

export function formatCostUsd(costUsd: number): string {
  return `$${costUsd.toFixed(4)}`;
}

export function formatVariantLine(variant: AnswerVariant): string {
  return `Variant: ${variant.answer} (${formatPageRef(variant.pages)})`;
}

export function summariseSection(section: SectionResult): SectionSummary {
  const total = section.answers.length;
  const answered = section.answers.filter(isAnswered).length;
  return { section, total, answered, answerRate: total === 0 ? 0 : answered / total };
}

export function computeTotals(result: FullResult): ExportTotals {
  let totalQuestions = 0;
  let answered = 0;
  let confidenceSum = 0;
  let variantCount = 0;
  for (const section of result.sections) {
    for (const answer of section.answers) {
      totalQuestions += 1;
      variantCount += answer.variants.length;
      if (isAnswered(answer)) {
        answered += 1;
        confidenceSum += answer.confidence;
      }
    }
  }
  return {
    totalQuestions,
    answered,
    answerRate: totalQuestions === 0 ? 0 : answered / totalQuestions,
    averageConfidence: answered === 0 ? 0 : confidenceSum / answered,
    processingTimeS: result.stats.processing_time,
    totalTokens: result.stats.total_tokens,
    costUsd: result.stats.estimated_cost,
    variantCount,
  };
}

/** "2026-11-26 04:23 UTC": unambiguous for readers in any time zone. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatEngine(engine: string, model: string | null): string {
  return model ? `${engine} (${model})` : engine;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  return `${Math.floor(wholeSeconds / 60)} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
}

/** Review status column text: "Accepted", "Edited", "Edited (unverified)", "Rejected" or "Not reviewed". */
export function reviewStatusText(answer: QuestionAnswer): string {
  const review = answer.review;
  if (!review) return 'Not reviewed';
  if (review.status === 'accepted') return 'Accepted';
  if (review.status === 'rejected') return 'Rejected';
  return review.verified === false ? 'Edited (unverified)' : 'Edited';
}

/** "2026-12-07" (UTC) from an ISO timestamp. */
export function formatReviewDate(iso: string): string {
  return iso.slice(0, 10);
}

/** What the engine said, for an edited or rejected answer: its text or "not found", with pages. */
export function describeMachineAnswer(answer: QuestionAnswer): string | null {
  const machine = answer.machine_answer;
  if (!machine) return null;
  if (machine.answer === null || machine.answer.trim() === '') return 'not found';
  return machine.page_citations.length > 0
    ? `${machine.answer} (${formatPageRef(machine.page_citations)})`
    : machine.answer;
}

/**
 * The one-line reviewer's marker shown with an answer in Word and Markdown, null when not reviewed:
 * "✔ Accepted by a@b.c, 2026-12-07", "✎ Edited by a@b.c, 2026-12-07 (unverified; machine said: 6 mm (p. 12))",
 * "✘ Rejected by a@b.c, 2026-12-07 (machine said: …)", each followed by " — note: …" when there is one.
 */
export function reviewMarker(answer: QuestionAnswer): string | null {
  const review = answer.review;
  if (!review) return null;
  const who = `${review.by ?? 'a reviewer'}, ${formatReviewDate(review.at)}`;
  const machine = describeMachineAnswer(answer);
  let line: string;
  if (review.status === 'accepted') line = `✔ Accepted by ${who}`;
  else if (review.status === 'edited') {
    const details = [
      ...(review.verified === false ? ['unverified: not found on its pages'] : []),
      ...(machine ? [`machine said: ${machine}`] : []),
    ];
    line = `✎ Edited by ${who}${details.length ? ` (${details.join('; ')})` : ''}`;
  } else line = `✘ Rejected by ${who}${machine ? ` (machine said: ${machine})` : ''}`;
  return review.note ? `${line} — note: ${review.note}` : line;
}

export interface ReviewProgress {
  total: number;
  reviewed: number;
  accepted: number;
  edited: number;
  rejected: number;
  /** 0..1; 0 when there are no questions. */
  ratio: number;
}

export function computeReviewProgress(result: FullResult): ReviewProgress {
  const all = result.sections.flatMap((s) => s.answers);
  const count = (status: string) => all.filter((a) => a.review?.status === status).length;
  const reviewed = all.filter((a) => a.review).length;
  return {
    total: all.length,
    reviewed,
    accepted: count('accepted'),
    edited: count('edited'),
    rejected: count('rejected'),
    ratio: all.length === 0 ? 0 : reviewed / all.length,
  };
}

/** "3 of 4 reviewed (1 accepted, 1 edited, 1 rejected)". */
export function describeReviewProgress(p: ReviewProgress): string {
  const parts = [`${p.accepted} accepted`, `${p.edited} edited`, `${p.rejected} rejected`];
  return `${p.reviewed} of ${p.total} reviewed${p.reviewed > 0 ? ` (${parts.join(', ')})` : ''}`;
}
