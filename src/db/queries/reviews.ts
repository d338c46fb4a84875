/**
 * SQL for answer_reviews: the append-only audit of reviewers' actions on answers. Rows are only ever inserted
 * (they go with their session through ON DELETE CASCADE). A question's current review is its latest row;
 * `reset` means "no review".
 */
import type { Queryable } from '../database.js';

export const REVIEW_ACTIONS = ['accept', 'edit', 'reject', 'reset'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export interface AnswerReview {
  reviewId: number;
  sessionId: string;
  questionId: string;
  action: ReviewAction;
  answer: string | null;
  pages: number[] | null;
  note: string | null;
  verified: boolean | null;
  reviewerId: string | null;
  reviewerEmail: string | null;
  createdAt: Date;
}

export interface NewAnswerReview {
  sessionId: string;
  questionId: string;
  action: ReviewAction;
  answer: string | null;
  pages: number[] | null;
  note: string | null;
  verified: boolean | null;
  reviewerId: string | null;
  reviewerEmail: string | null;
}

const COLUMNS =
  'review_id, session_id, question_id, action, answer, pages, note, verified, reviewer_id, reviewer_email, created_at';

function mapReview(r: Record<string, unknown>): AnswerReview {
  return {
    reviewId: Number(r.review_id), // BIGSERIAL comes back as a string; ids stay far below 2^53
    sessionId: r.session_id as string,
    questionId: r.question_id as string,
    action: r.action as ReviewAction,
    answer: (r.answer as string | null) ?? null,
    pages: r.pages === null || r.pages === undefined ? null : (r.pages as unknown[]).map(Number),
    note: (r.note as string | null) ?? null,
    verified: (r.verified as boolean | null) ?? null,
    reviewerId: (r.reviewer_id as string | null) ?? null,
    reviewerEmail: (r.reviewer_email as string | null) ?? null,
    createdAt: new Date(r.created_at as string),
  };
}

export async function insertReview(q: Queryable, review: NewAnswerReview): Promise<AnswerReview> {
  const r = await q.query(
    `INSERT INTO answer_reviews (session_id, question_id, action, answer, pages, note, verified, reviewer_id, reviewer_email)
     VALUES ($1, $2, $3, $4, $5::int[], $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      review.sessionId,
      review.questionId,
      review.action,
      review.answer,
      review.pages,
      review.note,
      review.verified,
      review.reviewerId,
      review.reviewerEmail,
    ],
  );
  return mapReview(r.rows[0]!);
}

/** The latest row of each reviewed question of a session (including `reset` rows: the caller treats them as none). */
export async function selectLatestReviews(q: Queryable, sessionId: string): Promise<Map<string, AnswerReview>> {
  const r = await q.query(
    `SELECT DISTINCT ON (question_id) ${COLUMNS} FROM answer_reviews WHERE session_id = $1 ORDER BY question_id, review_id DESC`,
    [sessionId],
  );
  return new Map(r.rows.map((row) => [row.question_id as string, mapReview(row)]));
}

/** The latest row for one question, or null when it was never reviewed. */
export async function selectLatestReview(
  q: Queryable,
  sessionId: string,
  questionId: string,
): Promise<AnswerReview | null> {
  const r = await q.query(
    `SELECT ${COLUMNS} FROM answer_reviews WHERE session_id = $1 AND question_id = $2 ORDER BY review_id DESC LIMIT 1`,
    [sessionId, questionId],
  );
  return r.rows[0] ? mapReview(r.rows[0]) : null;
}

/** Every action on one question, oldest first. */
export async function selectReviewHistory(
  q: Queryable,
  sessionId: string,
  questionId: string,
): Promise<AnswerReview[]> {
  const r = await q.query(
    `SELECT ${COLUMNS} FROM answer_reviews WHERE session_id = $1 AND question_id = $2 ORDER BY review_id`,
    [sessionId, questionId],
  );
  return r.rows.map(mapReview);
}

/**
 * Serialise reviews of one session: lock its row for the rest of the transaction, so the "is base_review_id
 * still the latest?" check and the insert cannot interleave with another reviewer's. Returns false when the
 * session no longer exists.
 */
export async function lockSessionForReview(q: Queryable, sessionId: string): Promise<boolean> {
  const r = await q.query('SELECT session_id FROM sessions WHERE session_id = $1 FOR UPDATE', [sessionId]);
  return r.rowCount > 0;
}

/**
 * A review changes what the session's result looks like: move its version (updated_at) forward so every
 * ETag and cached body built from the old one is stale. On a finished row this UPDATE also fires the
 * `session_changed` notification (migration 0004), so other processes forget their trusted version at once.
 * Strictly increasing even when two reviews share a transaction timestamp.
 */
export async function bumpSessionVersion(q: Queryable, sessionId: string): Promise<void> {
  await q.query(
    "UPDATE sessions SET updated_at = GREATEST(now(), updated_at + interval '1 microsecond') WHERE session_id = $1",
    [sessionId],
  );
}
