/**
 * A reviewer's action on one answer (accept, edit, reject, reset), appended to answer_reviews, and a
 * question's review history. The caller has already checked the reviewer may see the session.
 *
 * Concurrency: every action is a new row, so two reviewers acting at once both land in the history and
 * the later one is current. A client that sends `base_review_id` (the review id it last saw, null for "none")
 * asks to act only if that is still current; otherwise nothing is written and it gets the current question
 * (REVIEW_CONFLICT). Reviews of one session are serialised by locking its row, so check and insert cannot
 * interleave with another reviewer's.
 *
 * Running analyses: a question the run has already looked at (answered or not found) can be reviewed; one
 * it has not reached yet (`not_examined`) answers SESSION_RUNNING. Finished analyses (completed, partial,
 * failed): every question, including not-examined ones a reviewer fills in by hand.
 */
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import type { Session } from '../db/queries/sessions.js';
import { TERMINAL_STATUSES } from '../db/queries/sessions.js';
import {
  REVIEW_ACTIONS,
  bumpSessionVersion,
  insertReview,
  lockSessionForReview,
  selectLatestReview,
  selectReviewHistory,
  type AnswerReview,
} from '../db/queries/reviews.js';
import { selectDocumentPagesByNumber } from '../db/queries/documents.js';
import { buildPageTextIndex, locateQuote } from '../analysis/verify-citations.js';
import { loadSessionResult } from './load-session-result.js';
import { legacyWithVariants } from '../analysis/build-result.js';
import { applyReviews } from './review-overlay.js';
import type { FullResult, LegacyResult } from '../analysis/types.js';

// Long enough for any checklist answer (a list of standards, a paragraph of conditions); bounds the row.
const MAX_ANSWER_CHARS = 10_000;
const MAX_NOTE_CHARS = 4_000;
// An answer citing more pages than this is not a citation.
const MAX_PAGES = 200;

export const reviewBodySchema = z.strictObject({
  action: z.enum(REVIEW_ACTIONS),
  answer: z.string().trim().min(1).max(MAX_ANSWER_CHARS).optional(),
  pages: z.array(z.number().int()).max(MAX_PAGES).optional(),
  note: z.string().trim().max(MAX_NOTE_CHARS).nullable().optional(),
  base_review_id: z.number().int().positive().nullable().optional(),
  // Accept: the answer the reviewer saw (null: "not found"). A running pass may change the machine's answer
  // between showing and clicking; an accept of another answer than the one seen is refused as a conflict.
  expected_answer: z.string().max(MAX_ANSWER_CHARS).nullable().optional(),
});
export type ReviewBody = z.infer<typeof reviewBodySchema>;

export type LegacyQuestion = LegacyResult['sections'][number]['questions'][number] & { variants?: unknown[] };

export interface Reviewer {
  id: string | null;
  email: string | null;
}

/** Parse a request body; every problem at once as VALIDATION_FAILED with `details.problems`. */
export function parseReviewBody(body: unknown): ReviewBody {
  const parsed = reviewBodySchema.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
    throw new AppError(
      'VALIDATION_FAILED',
      `Invalid review: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { details: { problems } },
    );
  }
  const b = parsed.data;
  if (b.action === 'edit' && b.answer === undefined)
    throw new AppError('VALIDATION_FAILED', 'An edit needs the corrected "answer" text.', {
      details: { problems: [{ path: 'answer', message: 'required for edit' }] },
    });
  if (b.action !== 'edit' && (b.answer !== undefined || b.pages !== undefined)) {
    throw new AppError('VALIDATION_FAILED', `Only an edit takes "answer" and "pages" (action was "${b.action}").`, {
      details: { problems: [{ path: b.answer !== undefined ? 'answer' : 'pages', message: 'only for edit' }] },
    });
  }
  return b;
}

function findQuestion(full: FullResult, legacy: LegacyResult, questionId: string): LegacyQuestion {
  const question = legacyWithVariants(full, legacy)
    .sections.flatMap((s) => s.questions)
    .find((q) => q.question_id === questionId);
  if (!question)
    throw new AppError(
      'QUESTION_NOT_FOUND',
      `The analysis has no question "${questionId}" (in the sections it analysed).`,
    );
  return question as LegacyQuestion;
}

/** The question as results show it now (with variants), or QUESTION_NOT_FOUND. */
export async function loadResultQuestion(
  ctx: AppContext,
  session: Session,
  questionId: string,
): Promise<LegacyQuestion> {
  const r = await loadSessionResult(ctx.db, session.id, session);
  return findQuestion(r.full, r.legacy, questionId);
}

/** Whether `text` is on the given pages of the session's document (the citation check's normalisation). */
async function isTextOnPages(ctx: AppContext, sessionId: string, text: string, pages: number[]): Promise<boolean> {
  if (pages.length === 0) return false;
  const cited = await selectDocumentPagesByNumber(ctx.db, sessionId, pages);
  if (cited.length === 0) return false;
  return locateQuote(buildPageTextIndex(cited), text, pages) !== null;
}

export type ReviewOutcome = { ok: true; question: LegacyQuestion } | { ok: false; question: LegacyQuestion };

/** The id a client would have seen as `review.review_id` (null when not reviewed, including after a reset). */
function currentReviewId(latest: AnswerReview | null): number | null {
  return latest && latest.action !== 'reset' ? latest.reviewId : null;
}

export async function reviewAnswer(
  ctx: AppContext,
  session: Session,
  questionId: string,
  body: ReviewBody,
  reviewer: Reviewer,
): Promise<ReviewOutcome> {
  const loaded = await loadSessionResult(ctx.db, session.id, session);
  const before = findQuestion(loaded.full, loaded.legacy, questionId);
  const running = !TERMINAL_STATUSES.includes(session.status);
  const machineStatus = before.machine_answer ? 'answered' : before.answer_status;
  if (running && machineStatus === 'not_examined') throw new AppError('SESSION_RUNNING');

  let pages: number[] | null = null;
  let verified: boolean | null = null;
  // An accept keeps what was accepted (see review-overlay.ts): the answer and pages shown to the reviewer.
  let answer: string | null = body.action === 'accept' ? before.answer : null;
  if (body.action === 'accept' && before.answer !== null) pages = [...before.page_citations];
  if (body.action === 'accept' && before.review?.status === 'rejected' && before.machine_answer) {
    // Accepting a rejected question accepts the engine's answer (e.g. "apply mine anyway" over another
    // reviewer's rejection): pinned explicitly, so it never depends on what the rejection showed.
    answer = before.machine_answer.answer;
    pages = answer === null ? null : [...before.machine_answer.page_citations];
  }
  // Accepting an edited answer keeps the edit as it was checked: its text, pages and whether it was found there.
  if (body.action === 'accept' && before.review?.status === 'edited') verified = before.review.verified ?? null;
  if (body.action === 'edit') {
    answer = body.answer!;
    pages = [...new Set(body.pages ?? before.page_citations)].sort((a, b) => a - b);
    // A page count is unknown only for sessions stored before it was recorded: then only the lower bound holds.
    const totalPages = session.totalPages ?? Number.MAX_SAFE_INTEGER;
    const outside = pages.filter((p) => p < 1 || p > totalPages);
    if (outside.length > 0) {
      throw new AppError('VALIDATION_FAILED', `Pages must be between 1 and ${totalPages}; got ${outside.join(', ')}.`, {
        details: { problems: [{ path: 'pages', message: `outside 1..${totalPages}` }] },
      });
    }
    verified = await isTextOnPages(ctx, session.id, body.answer!, pages);
  }

  if (body.action === 'accept' && body.expected_answer !== undefined && body.expected_answer !== before.answer) {
    return { ok: false, question: before };
  }

  const written = await ctx.db.transaction(async (tx) => {
    if (!(await lockSessionForReview(tx, session.id))) throw new AppError('SESSION_NOT_FOUND');
    if (body.base_review_id !== undefined) {
      const latest = await selectLatestReview(tx, session.id, questionId);
      if (currentReviewId(latest) !== body.base_review_id) return null;
    }
    const row = await insertReview(tx, {
      sessionId: session.id,
      questionId,
      action: body.action,
      answer,
      pages,
      note: body.note ? body.note : null, // an emptied note field is no note
      verified,
      reviewerId: reviewer.id,
      reviewerEmail: reviewer.email,
    });
    await bumpSessionVersion(tx, session.id);
    return row;
  });
  if (!written) return { ok: false, question: await loadResultQuestion(ctx, session, questionId) };
  ctx.sessionVersions.forget(session.id); // at once here; other processes hear the NOTIFY
  // The question after this review: the machine's answer (already loaded) with the new row laid over it.
  const after = applyReviews(loaded.machine.full, loaded.machine.legacy, new Map([[questionId, written]]));
  return { ok: true, question: findQuestion(after.full, after.legacy, questionId) };
}

export interface HistoryEntry {
  review_id: number;
  action: AnswerReview['action'];
  answer: string | null;
  pages: number[] | null;
  note: string | null;
  verified: boolean | null;
  by: string | null;
  at: string;
}

/** Every action on a question, oldest first (QUESTION_NOT_FOUND when the analysis has no such question). */
export async function loadReviewHistory(
  ctx: AppContext,
  session: Session,
  questionId: string,
): Promise<HistoryEntry[]> {
  const [rows] = await Promise.all([
    selectReviewHistory(ctx.db, session.id, questionId),
    loadResultQuestion(ctx, session, questionId),
  ]);
  return rows.map((r) => ({
    review_id: r.reviewId,
    action: r.action,
    answer: r.answer,
    pages: r.pages,
    note: r.note,
    verified: r.verified,
    by: r.reviewerEmail,
    at: r.createdAt.toISOString(),
  }));
}
