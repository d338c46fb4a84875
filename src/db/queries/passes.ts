/**
 * SQL for passes (re-runs of a finished session over some questions): queue a pass on the session row,
 * read a pass's plan, archive the answers a pass replaces, and read the passes and answer history.
 */
import type { Queryable } from '../database.js';
import type { EngineName, QuestionAnswer } from '../../analysis/types.js';
import { TERMINAL_STATUSES } from './sessions.js';

export interface SkippedQuestion {
  question_id: string;
  reason: string;
}

export interface SessionPass {
  sessionId: string;
  pass: number;
  /** null = every question of the enabled sections (the original run). */
  questionIds: string[] | null;
  skipped: SkippedQuestion[];
  engine: EngineName;
  model: string | null;
  thorough: boolean;
  requestedBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  /** null while it is the current pass (the session row's status is its status). */
  status: 'completed' | 'partial' | 'failed' | null;
  completedAt: Date | null;
}

const PASS_COLUMNS =
  'session_id, pass, question_ids, skipped, engine, model, thorough, requested_by, created_at, started_at, status, completed_at';

function mapPass(r: Record<string, unknown>): SessionPass {
  return {
    sessionId: r.session_id as string,
    pass: Number(r.pass),
    questionIds: (r.question_ids as string[] | null) ?? null,
    skipped: (r.skipped as SkippedQuestion[] | null) ?? [],
    engine: r.engine as EngineName,
    model: (r.model as string | null) ?? null,
    thorough: Boolean(r.thorough),
    requestedBy: (r.requested_by as string | null) ?? null,
    createdAt: new Date(r.created_at as string),
    startedAt: r.started_at ? new Date(r.started_at as string) : null,
    status: (r.status as SessionPass['status']) ?? null,
    completedAt: r.completed_at ? new Date(r.completed_at as string) : null,
  };
}

export interface QueuePassInput {
  sessionId: string;
  questionIds: string[];
  skipped: SkippedQuestion[];
  engine: EngineName;
  model: string | null;
  thorough: boolean;
  requestedBy: string | null;
}

/**
 * Queue the next pass on a finished session, atomically (call inside a transaction): the row goes back to
 * `queued` only if it is finished now (two requests at once: one wins, the other gets null), the previous
 * pass is recorded with the status it ended in, the new pass is recorded, and the run's per-pass state
 * (retries, stop request, completion time, error) starts afresh. The engine columns become the pass's, so the
 * job runner runs it exactly as it runs any session. Returns the new pass number, or null when not finished.
 */
export async function queuePass(q: Queryable, input: QueuePassInput): Promise<number | null> {
  const previous = await q.query<{ current_pass: number; status: string; completed_at: string | null }>(
    `SELECT current_pass, status, completed_at FROM sessions WHERE session_id = $1 AND status = ANY($2::text[]) FOR UPDATE`,
    [input.sessionId, [...TERMINAL_STATUSES]],
  );
  const prev = previous.rows[0];
  if (!prev) return null;
  const pass = Number(prev.current_pass) + 1;
  // The original run's own row, the first time it is re-run (sessions created before passes existed too).
  await q.query(
    `INSERT INTO session_passes (session_id, pass, question_ids, engine, model, thorough, requested_by, created_at, started_at)
     SELECT session_id, 1, NULL, engine, model, thorough, owner_id, created_at, started_at FROM sessions WHERE session_id = $1
     ON CONFLICT (session_id, pass) DO NOTHING`,
    [input.sessionId],
  );
  await q.query('UPDATE session_passes SET status = $3, completed_at = $4 WHERE session_id = $1 AND pass = $2', [
    input.sessionId,
    prev.current_pass,
    prev.status,
    prev.completed_at,
  ]);
  await q.query(
    `INSERT INTO session_passes (session_id, pass, question_ids, skipped, engine, model, thorough, requested_by)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)`,
    [
      input.sessionId,
      pass,
      input.questionIds,
      JSON.stringify(input.skipped),
      input.engine,
      input.model,
      input.thorough,
      input.requestedBy,
    ],
  );
  await q.query(
    `UPDATE sessions SET status = 'queued', current_pass = $2, engine = $3, model = $4, thorough = $5,
       failed_attempts = 0, run_after = now(), lease_owner = NULL, lease_expires_at = NULL,
       stop_requested_at = NULL, stop_reason = NULL, error_message = NULL, completed_at = NULL, updated_at = now()
     WHERE session_id = $1`,
    [input.sessionId, pass, input.engine, input.model, input.thorough],
  );
  return pass;
}

/** The session's current pass, when it is a re-run (pass ≥ 2); null for the original run. */
export async function selectCurrentPass(q: Queryable, sessionId: string): Promise<SessionPass | null> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT ${PASS_COLUMNS.split(', ')
      .map((c) => `p.${c}`)
      .join(', ')}
     FROM sessions s JOIN session_passes p ON p.session_id = s.session_id AND p.pass = s.current_pass
     WHERE s.session_id = $1 AND s.current_pass > 1`,
    [sessionId],
  );
  return r.rows[0] ? mapPass(r.rows[0]) : null;
}

export async function markPassStarted(q: Queryable, sessionId: string, pass: number): Promise<void> {
  await q.query(
    'UPDATE session_passes SET started_at = COALESCE(started_at, now()) WHERE session_id = $1 AND pass = $2',
    [sessionId, pass],
  );
}

export async function selectPasses(q: Queryable, sessionId: string): Promise<SessionPass[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT ${PASS_COLUMNS} FROM session_passes WHERE session_id = $1 ORDER BY pass`,
    [sessionId],
  );
  return r.rows.map(mapPass);
}

/**
 * The questions (of `questionIds`) whose current review keeps them out of a pass: the latest review row of a
 * question is its review; `accept` and `edit` are reviewed answers, `reject` and `reset` are not.
 */
export async function selectReviewedQuestions(
  q: Queryable,
  sessionId: string,
  questionIds: readonly string[],
): Promise<Map<string, 'accept' | 'edit'>> {
  if (questionIds.length === 0) return new Map();
  const r = await q.query<{ question_id: string; action: string }>(
    `SELECT question_id, action FROM (
       SELECT DISTINCT ON (question_id) question_id, action FROM answer_reviews
       WHERE session_id = $1 AND question_id = ANY($2::text[])
       ORDER BY question_id, review_id DESC
     ) latest WHERE action IN ('accept', 'edit')`,
    [sessionId, [...questionIds]],
  );
  return new Map(r.rows.map((row) => [row.question_id, row.action as 'accept' | 'edit']));
}

/**
 * A re-run of a rejected answer replaces what the reviewer rejected: the rejection is closed with a `reset`
 * row (the history keeps both), so the new machine answer shows, unreviewed. Returns the questions reset.
 */
export async function resetRejectedReviews(
  q: Queryable,
  sessionId: string,
  questionIds: readonly string[],
  pass: number,
): Promise<string[]> {
  if (questionIds.length === 0) return [];
  const r = await q.query<{ question_id: string }>(
    `INSERT INTO answer_reviews (session_id, question_id, action, note)
     SELECT session_id, question_id, 'reset', $3 FROM (
       SELECT DISTINCT ON (question_id) session_id, question_id, action FROM answer_reviews
       WHERE session_id = $1 AND question_id = ANY($2::text[])
       ORDER BY question_id, review_id DESC
     ) latest WHERE action = 'reject'
     RETURNING question_id`,
    [sessionId, [...questionIds], `Re-run by pass ${pass}: the rejected answer was replaced`],
  );
  return r.rows.map((row) => row.question_id);
}

/**
 * Before pass `pass` writes answers to these questions: copy the answers an earlier pass produced into
 * answer_history (once per question and pass), so what the pass replaces stays readable.
 */
export async function archiveSupersededAnswers(
  q: Queryable,
  sessionId: string,
  pass: number,
  questionIds: readonly string[],
): Promise<void> {
  if (questionIds.length === 0) return;
  await q.query(
    `INSERT INTO answer_history (session_id, question_id, pass, section_id, answer, pages, confidence, footnote, answer_data, answered_at, superseded_by)
     SELECT session_id, question_id, pass, section_id, answer, pages, confidence, footnote, answer_data, updated_at, $2
     FROM accumulated_answers
     WHERE session_id = $1 AND question_id = ANY($3::text[]) AND pass < $2
     ON CONFLICT (session_id, question_id, pass) DO NOTHING`,
    [sessionId, pass, [...questionIds]],
  );
}

/** Answers pass `pass` already stored (a resumed pass merges its new findings with them). */
export async function selectPassAnswers(q: Queryable, sessionId: string, pass: number): Promise<QuestionAnswer[]> {
  const r = await q.query<{ answer_data: QuestionAnswer }>(
    'SELECT answer_data FROM accumulated_answers WHERE session_id = $1 AND pass = $2 ORDER BY id',
    [sessionId, pass],
  );
  return r.rows.map((row) => row.answer_data);
}

export interface AnswerVersion {
  questionId: string;
  pass: number;
  answer: string | null;
  pages: number[];
  confidence: number;
  footnote: string | null;
  answeredAt: Date;
  /** null for the answer in force; else when (and by which pass) it was replaced. */
  supersededAt: Date | null;
  supersededBy: number | null;
}

/** Every answer each pass produced: the ones in force and the ones replaced, by question then pass. */
export async function selectAnswerVersions(
  q: Queryable,
  sessionId: string,
  questionIds: readonly string[] | null,
): Promise<AnswerVersion[]> {
  const r = await q.query<{
    question_id: string;
    pass: number;
    answer: string | null;
    pages: number[];
    confidence: number;
    footnote: string | null;
    answered_at: string;
    superseded_at: string | null;
    superseded_by: number | null;
  }>(
    `SELECT question_id, pass, answer, pages, confidence, footnote, answered_at, superseded_at, superseded_by FROM (
       SELECT question_id, pass, answer, pages, confidence, footnote, answered_at, superseded_at, superseded_by
       FROM answer_history WHERE session_id = $1 AND ($2::text[] IS NULL OR question_id = ANY($2::text[]))
       UNION ALL
       SELECT question_id, pass, answer, pages, confidence, footnote, updated_at, NULL, NULL
       FROM accumulated_answers WHERE session_id = $1 AND ($2::text[] IS NULL OR question_id = ANY($2::text[]))
     ) v ORDER BY question_id, pass`,
    [sessionId, questionIds === null ? null : [...questionIds]],
  );
  return r.rows.map((row) => ({
    questionId: row.question_id,
    pass: Number(row.pass),
    answer: row.answer,
    pages: row.pages,
    confidence: Number(row.confidence),
    footnote: row.footnote,
    answeredAt: new Date(row.answered_at),
    supersededAt: row.superseded_at ? new Date(row.superseded_at) : null,
    supersededBy: row.superseded_by === null ? null : Number(row.superseded_by),
  }));
}

/** Whether a pass can read the document: its page text is cached, or its PDF bytes are still stored. */
export async function selectDocumentReadable(q: Queryable, sessionId: string): Promise<boolean> {
  const r = await q.query<{ readable: boolean }>(
    'SELECT (pages IS NOT NULL OR bytes_deleted_at IS NULL) AS readable FROM session_documents WHERE session_id = $1',
    [sessionId],
  );
  return r.rows[0]?.readable === true;
}
