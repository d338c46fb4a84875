/**
 * The migration plan's schema (PERSISTENT_STORAGE_MIGRATION_PLAN.md): every column it names, under its name and
 * with its meaning, and its indexes — on a fresh database, and on a database filled before the upgrade.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createPgliteDatabase } from '../../src/db/pglite-database.js';
import { loadMigrations, migrate, pendingMigrations } from '../../src/db/migrate.js';
import { storeAnswers } from '../../src/db/queries/answers.js';
import { createSession } from '../../src/db/queries/create-session.js';
import { storeResult } from '../../src/db/queries/results.js';
import { selectQuestionConfig, selectSession } from '../../src/db/queries/sessions.js';
import { insertUser } from '../../src/db/queries/users.js';
import { insertDocument, selectDocumentBytes } from '../../src/db/queries/documents.js';
import { insertEvent, selectEvents } from '../../src/db/queries/events.js';
import { selectResult, upsertResult } from '../../src/db/queries/results.js';
import { selectAnswers } from '../../src/db/queries/answers.js';
import { toLegacyResult } from '../../src/analysis/build-result.js';
import {
  BACKENDS,
  createEmptyPostgresDatabase,
  createTestDatabase,
  describeEachDatabase,
  postgresAvailable,
  type BackendKind,
} from '../helpers/databases.js';
import { makeAnswer, makeQuestionConfig, makeSessionInput } from '../helpers/factories.js';
import { makeFullResult } from '../export/result-factory.js';

/** Every column the plan names, per table. */
const PLAN_COLUMNS: Record<string, string[]> = {
  sessions: [
    'session_id',
    'status',
    'created_at',
    'updated_at',
    'completed_at',
    'pdf_filename',
    'pdf_path',
    'config_path',
    'user_email',
    'processing_time_seconds',
    'total_tokens',
    'estimated_cost_usd',
    'questions_answered',
    'total_questions',
    'average_confidence',
    'error_message',
  ],
  analysis_results: ['id', 'session_id', 'result_data', 'legacy_result_data', 'created_at'],
  accumulated_answers: [
    'id',
    'session_id',
    'question_id',
    'section_id',
    'section_name',
    'question_text',
    'answer_text',
    'pages',
    'confidence',
    'footnote',
    'has_answer',
    'created_at',
  ],
  session_events: ['id', 'session_id', 'event_type', 'event_data', 'created_at'],
};

/** The plan's indexes: name → [table, the indexed column as pg_indexes prints it]. */
const PLAN_INDEXES: Record<string, [string, string]> = {
  idx_sessions_status: ['sessions', '(status)'],
  idx_sessions_created_at: ['sessions', '(created_at DESC)'],
  idx_analysis_results_session: ['analysis_results', '(session_id)'],
  idx_answers_session: ['accumulated_answers', '(session_id)'],
  idx_answers_section: ['accumulated_answers', '(section_id)'],
  idx_answers_has_answer: ['accumulated_answers', '(has_answer)'],
  idx_events_session: ['session_events', '(session_id)'],
  idx_events_created_at: ['session_events', '(created_at DESC)'],
};

async function columnsOf(db: Database, table: string): Promise<Map<string, string>> {
  const r = await db.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
    [table],
  );
  return new Map(r.rows.map((row) => [row.column_name, row.data_type]));
}

async function expectPlanSchema(db: Database): Promise<void> {
  for (const [table, columns] of Object.entries(PLAN_COLUMNS)) {
    const have = await columnsOf(db, table);
    expect(
      columns.filter((c) => !have.has(c)),
      `${table} lacks plan columns`,
    ).toEqual([]);
  }
  const sessions = await columnsOf(db, 'sessions');
  expect(sessions.get('average_confidence')).toBe('numeric');
  expect(sessions.get('processing_time_seconds')).toBe('double precision');
  expect(sessions.get('estimated_cost_usd')).toBe('numeric');
  const answers = await columnsOf(db, 'accumulated_answers');
  expect(answers.get('has_answer')).toBe('boolean');
  expect(answers.get('pages')).toBe('ARRAY');
  const idx = await db.query<{ indexname: string; tablename: string; indexdef: string }>(
    "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%'",
  );
  const byName = new Map(idx.rows.map((row) => [row.indexname, row]));
  for (const [name, [table, columns]] of Object.entries(PLAN_INDEXES)) {
    const row = byName.get(name);
    expect(row, `index ${name}`).toBeDefined();
    expect(row?.tablename).toBe(table);
    expect(row?.indexdef.endsWith(columns)).toBe(true);
  }
}

describeEachDatabase('the plan schema on a fresh database', ({ db }) => {
  it('has every column and index the plan names', async () => {
    await expectPlanSchema(db());
  });

  it('fills the plan columns from the code paths that create and finish sessions and store answers', async () => {
    const user = await insertUser(db(), {
      id: 'plan-user-fresh',
      email: 'estimator@example.com',
      role: 'user',
      passwordHash: 'x',
    });
    const config = makeQuestionConfig(2, 2);
    const s = await createSession(
      db(),
      makeSessionInput({
        config,
        ownerId: user.id,
        document: { bytes: new Uint8Array([37, 80, 68, 70]), pageCount: 4 },
      }),
    );
    expect(s).toMatchObject({
      pdfPath: `db:session_documents/${s.id}`,
      configPath: `db:sessions/${s.id}/question_config`,
      userEmail: 'estimator@example.com',
      averageConfidence: null,
    });

    await storeAnswers(db(), s.id, [
      makeAnswer('S1Q1', { section_id: 'sec_1', question: 'What is the liner?', answer: 'Felt', confidence: 0.9 }),
      makeAnswer('S2Q2', {
        section_id: 'sec_2',
        question: 'Bond?',
        answer: null,
        pages: [],
        footnote: null,
        confidence: 0,
      }),
    ]);
    const rows = await db().query<Record<string, unknown>>(
      'SELECT question_id, section_name, question_text, answer_text, has_answer FROM accumulated_answers WHERE session_id = $1 ORDER BY question_id',
      [s.id],
    );
    expect(rows.rows).toEqual([
      {
        question_id: 'S1Q1',
        section_name: 'Section 1',
        question_text: 'What is the liner?',
        answer_text: 'Felt',
        has_answer: true,
      },
      { question_id: 'S2Q2', section_name: 'Section 2', question_text: 'Bond?', answer_text: null, has_answer: false },
    ]);
    // Replacing an answer (the run learned more) keeps the derived columns in step.
    await storeAnswers(db(), s.id, [makeAnswer('S2Q2', { section_id: 'sec_2', question: 'Bond?', answer: '5 %' })]);
    const replaced = await db().query<{ answer_text: string; has_answer: boolean }>(
      "SELECT answer_text, has_answer FROM accumulated_answers WHERE session_id = $1 AND question_id = 'S2Q2'",
      [s.id],
    );
    expect(replaced.rows[0]).toEqual({ answer_text: '5 %', has_answer: true });

    const full = makeFullResult();
    await storeResult(db(), s.id, {
      result: full,
      legacy: toLegacyResult(full),
      status: 'completed',
      stats: { questionsAnswered: 2, processingTime: 12.5, estimatedCost: 0.0123, averageConfidence: 0.8567 },
    });
    const finished = await db().query<Record<string, unknown>>(
      'SELECT processing_time_seconds, estimated_cost_usd::float8 AS cost, average_confidence::float8 AS conf, completed_at FROM sessions WHERE session_id = $1',
      [s.id],
    );
    expect(finished.rows[0]).toMatchObject({ processing_time_seconds: 12.5, cost: 0.0123, conf: 0.8567 });
    expect(finished.rows[0]?.completed_at).not.toBeNull();
    expect((await selectSession(db(), s.id))?.averageConfidence).toBe(0.8567);
  });

  it('writes no email for a session without an owner (single-user mode)', async () => {
    const s = await createSession(db(), makeSessionInput({ ownerId: null }));
    expect(s.userEmail).toBeNull();
  });
});

/** A database of this backend migrated only up to `upTo` (the state before this change). */
async function databaseAt(kind: BackendKind, upTo: number): Promise<{ db: Database; drop: () => Promise<void> }> {
  const migrations = loadMigrations().slice(0, upTo);
  if (kind === 'pglite') {
    const db = await createPgliteDatabase();
    await migrate(db, migrations);
    return { db, drop: () => db.close() };
  }
  const { url, drop } = await createEmptyPostgresDatabase();
  const db = createPgDatabase({ url, directUrl: null, poolMax: 3, statementTimeoutMs: 30_000, ssl: 'auto' });
  await migrate(db, migrations);
  return {
    db,
    drop: async () => {
      await db.close();
      await drop();
    },
  };
}

const PLAN_MIGRATION = loadMigrations().findIndex((m) => m.name.endsWith('_plan_schema'));

for (const kind of BACKENDS) {
  const run = kind === 'pglite' || postgresAvailable();
  (run ? describe : describe.skip)(`a database filled before the plan schema, then upgraded [${kind}]`, () => {
    let t: { db: Database; drop: () => Promise<void> } | undefined;
    const db = () => t!.db;
    const config = makeQuestionConfig(2, 2);
    const full = makeFullResult();
    const legacy = toLegacyResult(full);
    const finishedStats = { ...full.stats, average_confidence: 0.7321 };
    const fullWithStats = { ...full, stats: finishedStats };

    beforeAll(async () => {
      t = await databaseAt(kind, PLAN_MIGRATION);
      expect(await pendingMigrations(db())).toContain(loadMigrations()[PLAN_MIGRATION]!.name);
      // Filled as the code before this migration wrote rows (its statements, its columns).
      await insertUser(db(), { id: 'old-owner', email: 'old.owner@example.com', role: 'user', passwordHash: 'x' });
      const insertOldSession = (id: string, ownerId: string | null, status: string) =>
        db().query(
          `INSERT INTO sessions (session_id, status, pdf_filename, engine, model, thorough, config_name, question_config,
             enabled_sections, guardrails, owner_id, total_pages, total_questions, max_attempts)
           VALUES ($1, $2, 'old spec.pdf', 'extractive', NULL, false, $3, $4::jsonb, $5, '', $6, 10, 4, 3)`,
          [id, status, config.config_name, JSON.stringify(config), ['sec_1', 'sec_2'], ownerId],
        );
      const insertOldAnswer = (sessionId: string, a: ReturnType<typeof makeAnswer>) =>
        db().query(
          `INSERT INTO accumulated_answers (session_id, question_id, section_id, answer, pages, confidence, footnote, answer_data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
          [sessionId, a.question_id, a.section_id, a.answer, a.pages, a.confidence, a.footnote, JSON.stringify(a)],
        );
      await insertOldSession('old-finished-session-01', 'old-owner', 'completed');
      await db().query(
        "UPDATE sessions SET processing_time = 42.25, estimated_cost = 0.5, total_tokens = 1234, questions_answered = 1, completed_at = now() WHERE session_id = 'old-finished-session-01'",
      );
      await insertDocument(db(), 'old-finished-session-01', {
        filename: 'old spec.pdf',
        bytes: new Uint8Array([37, 80, 68, 70, 45, 49]),
        sha256: 'abc',
        pageCount: 10,
      });
      await insertOldAnswer(
        'old-finished-session-01',
        makeAnswer('S1Q1', { section_id: 'sec_1', question: 'Liner thickness?', answer: '6 mm', confidence: 0.9 }),
      );
      await insertOldAnswer(
        'old-finished-session-01',
        makeAnswer('S2Q1', {
          section_id: 'sec_2',
          question: 'Bid bond?',
          answer: null,
          pages: [],
          footnote: null,
          confidence: 0,
        }),
      );
      await upsertResult(db(), 'old-finished-session-01', fullWithStats, legacy);
      await insertEvent(db(), 'old-finished-session-01', 'analysis_started', { document_name: 'old spec.pdf' });
      await insertEvent(db(), 'old-finished-session-01', 'analysis_complete', { questions_answered: 1 });

      await insertOldSession('old-running-session-02', null, 'active');
      await insertOldAnswer(
        'old-running-session-02',
        makeAnswer('S1Q1', { section_id: 'sec_1', answer: 'a', confidence: 0.6 }),
      );
      await insertOldAnswer(
        'old-running-session-02',
        makeAnswer('S1Q2', { section_id: 'sec_1', answer: 'b', confidence: 0.8 }),
      );

      await migrate(db());
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('reads back every session, answer, result, event and stored PDF written before the upgrade', async () => {
      const s = await selectSession(db(), 'old-finished-session-01');
      expect(s).toMatchObject({
        status: 'completed',
        pdfFilename: 'old spec.pdf',
        processingTime: 42.25,
        estimatedCost: 0.5,
        totalTokens: 1234,
        ownerId: 'old-owner',
      });
      expect((await selectQuestionConfig(db(), 'old-finished-session-01'))?.sections).toHaveLength(2);
      expect((await selectAnswers(db(), 'old-finished-session-01')).map((a) => [a.question_id, a.answer])).toEqual([
        ['S1Q1', '6 mm'],
        ['S2Q1', null],
      ]);
      const stored = await selectResult(db(), 'old-finished-session-01');
      expect(stored?.resultData.stats.average_confidence).toBe(0.7321);
      expect(stored?.legacyResultData?.sections).toHaveLength(legacy.sections.length);
      expect((await selectEvents(db(), 'old-finished-session-01')).map((e) => e.event)).toEqual([
        'analysis_started',
        'analysis_complete',
      ]);
      expect([...(await selectDocumentBytes(db(), 'old-finished-session-01'))!]).toEqual([37, 80, 68, 70, 45, 49]);
      expect((await selectSession(db(), 'old-running-session-02'))?.status).toBe('active');
    });

    it('has the plan columns backfilled with their meaning', async () => {
      const r = await db().query<Record<string, unknown>>(
        `SELECT session_id, pdf_path, config_path, user_email, processing_time_seconds, estimated_cost_usd::float8 AS cost_usd,
           average_confidence::float8 AS average_confidence
         FROM sessions ORDER BY session_id`,
      );
      expect(r.rows).toEqual([
        {
          session_id: 'old-finished-session-01',
          pdf_path: 'db:session_documents/old-finished-session-01',
          config_path: 'db:sessions/old-finished-session-01/question_config',
          user_email: 'old.owner@example.com',
          processing_time_seconds: 42.25,
          cost_usd: 0.5,
          average_confidence: 0.7321, // the figure its stored result reports
        },
        {
          session_id: 'old-running-session-02',
          pdf_path: null, // no stored PDF row: nothing to refer to
          config_path: 'db:sessions/old-running-session-02/question_config',
          user_email: null,
          processing_time_seconds: null,
          cost_usd: 0,
          average_confidence: 0.7, // mean of the answers so far
        },
      ]);
      const answers = await db().query<Record<string, unknown>>(
        "SELECT question_id, section_name, question_text, answer_text, has_answer FROM accumulated_answers WHERE session_id = 'old-finished-session-01' ORDER BY question_id",
      );
      expect(answers.rows).toEqual([
        {
          question_id: 'S1Q1',
          section_name: 'Section 1',
          question_text: 'Liner thickness?',
          answer_text: '6 mm',
          has_answer: true,
        },
        {
          question_id: 'S2Q1',
          section_name: 'Section 2',
          question_text: 'Bid bond?',
          answer_text: null,
          has_answer: false,
        },
      ]);
    });

    it('then has the same schema as a fresh database, and nothing left to migrate', async () => {
      await expectPlanSchema(db());
      expect(await pendingMigrations(db())).toEqual([]);
      const fresh = await createTestDatabase(kind);
      try {
        for (const table of [...Object.keys(PLAN_COLUMNS), 'session_aliases']) {
          expect([...(await columnsOf(db(), table)).entries()].sort()).toEqual(
            [...(await columnsOf(fresh.db, table)).entries()].sort(),
          );
        }
      } finally {
        await fresh.drop();
      }
    });
  });
}
