/** SQL for accumulated_answers: one row per (session, question), replaced as the run learns more. */
import type { Database, Queryable } from '../database.js';
import { assertFence, type Fence } from '../fence.js';
import type { QuestionAnswer } from '../../analysis/types.js';

/** `pass`: the pass producing these answers (1 = the original run; see passes.ts). */
export async function upsertAnswers(
  q: Queryable,
  sessionId: string,
  answers: readonly QuestionAnswer[],
  pass = 1,
): Promise<void> {
  if (answers.length === 0) return;
  // One statement for the batch: unnest keeps it a single round trip, and ON CONFLICT makes replays idempotent.
  // The plan's section_name comes from the session's own question config (read once per batch), question_text
  // from the answer; answer_text and has_answer are generated from `answer` by the database.
  await q.query(
    `WITH names AS MATERIALIZED (
       SELECT sec ->> 'section_id' AS section_id, sec ->> 'section_name' AS section_name
       FROM sessions, jsonb_array_elements(COALESCE(question_config -> 'sections', '[]'::jsonb)) AS sec
       WHERE session_id = $1
     )
     INSERT INTO accumulated_answers (session_id, question_id, section_id, answer, pages, confidence, footnote, answer_data,
       section_name, question_text, pass)
     SELECT $1, a.question_id, a.section_id, a.answer, ARRAY(SELECT jsonb_array_elements_text(a.pages)::int), a.confidence,
       a.footnote, a.answer_data,
       (SELECT n.section_name FROM names n WHERE n.section_id = a.section_id LIMIT 1), COALESCE(a.question, ''), $3::int
     FROM jsonb_to_recordset($2::jsonb) AS a(question_id text, section_id text, answer text, pages jsonb,
       confidence real, footnote text, answer_data jsonb, question text)
     ON CONFLICT (session_id, question_id) DO UPDATE SET
       section_id = EXCLUDED.section_id, answer = EXCLUDED.answer, pages = EXCLUDED.pages,
       confidence = EXCLUDED.confidence, footnote = EXCLUDED.footnote, answer_data = EXCLUDED.answer_data,
       section_name = EXCLUDED.section_name, question_text = EXCLUDED.question_text, pass = EXCLUDED.pass,
       updated_at = now()`,
    [
      sessionId,
      JSON.stringify(
        answers.map((a) => ({
          question_id: a.question_id,
          section_id: a.section_id,
          answer: a.answer,
          pages: a.pages,
          confidence: a.confidence,
          footnote: a.footnote,
          question: a.question,
          answer_data: a,
        })),
      ),
      pass,
    ],
  );
}

export async function selectAnswers(q: Queryable, sessionId: string): Promise<QuestionAnswer[]> {
  const r = await q.query<{ answer_data: QuestionAnswer }>(
    'SELECT answer_data FROM accumulated_answers WHERE session_id = $1 ORDER BY id',
    [sessionId],
  );
  return r.rows.map((row) => row.answer_data);
}

export interface AnswerRow {
  questionId: string;
  sectionId: string;
  answer: string | null;
  pages: number[];
  confidence: number;
  footnote: string | null;
}

export async function selectAnswerRows(q: Queryable, sessionId: string): Promise<AnswerRow[]> {
  const r = await q.query<{
    question_id: string;
    section_id: string;
    answer: string | null;
    pages: number[];
    confidence: number;
    footnote: string | null;
  }>(
    'SELECT question_id, section_id, answer, pages, confidence, footnote FROM accumulated_answers WHERE session_id = $1 ORDER BY id',
    [sessionId],
  );
  return r.rows.map((row) => ({
    questionId: row.question_id,
    sectionId: row.section_id,
    answer: row.answer,
    pages: row.pages,
    confidence: Number(row.confidence),
    footnote: row.footnote,
  }));
}

/** Upsert answers; with a fence, only while the attempt still owns the run (else LeaseLostError). */
export async function storeAnswers(
  db: Database,
  sessionId: string,
  answers: readonly QuestionAnswer[],
  fence?: Fence,
): Promise<void> {
  await db.transaction(async (tx) => {
    await assertFence(tx, sessionId, fence);
    await upsertAnswers(tx, sessionId, answers);
  });
}
