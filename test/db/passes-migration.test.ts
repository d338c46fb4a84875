/**
 * The passes migration on a database filled before it: existing sessions are on pass 1, existing answers came
 * from pass 1, and a finished old session can be queued for a new pass at once (its pass-1 row is written then).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createPgliteDatabase } from '../../src/db/pglite-database.js';
import { loadMigrations, migrate, pendingMigrations } from '../../src/db/migrate.js';
import { queuePass, selectAnswerVersions, selectCurrentPass, selectPasses } from '../../src/db/queries/passes.js';
import { selectSession } from '../../src/db/queries/sessions.js';
import { BACKENDS, createEmptyPostgresDatabase, postgresAvailable, type BackendKind } from '../helpers/databases.js';
import { makeAnswer, makeQuestionConfig } from '../helpers/factories.js';

const PASSES_MIGRATION = loadMigrations().findIndex((m) => m.name.endsWith('_passes'));

async function databaseBeforePasses(kind: BackendKind): Promise<{ db: Database; drop: () => Promise<void> }> {
  const migrations = loadMigrations().slice(0, PASSES_MIGRATION);
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

for (const kind of BACKENDS) {
  const run = kind === 'pglite' || postgresAvailable();
  (run ? describe : describe.skip)(`a database filled before passes existed, then upgraded [${kind}]`, () => {
    let t: { db: Database; drop: () => Promise<void> } | undefined;
    const db = () => t!.db;
    const config = makeQuestionConfig(1, 2);

    beforeAll(async () => {
      expect(PASSES_MIGRATION).toBeGreaterThan(0);
      t = await databaseBeforePasses(kind);
      // Rows as the code before this migration wrote them (its columns only).
      await db().query(
        `INSERT INTO sessions (session_id, status, pdf_filename, engine, thorough, config_name, question_config, enabled_sections,
           guardrails, total_questions, completed_at)
         VALUES ('old-session', 'completed', 'old.pdf', 'extractive', false, $1, $2::jsonb, $3, '', 2, now())`,
        [config.config_name, JSON.stringify(config), ['sec_1']],
      );
      const a = makeAnswer('S1Q1', { answer: 'Old answer' });
      await db().query(
        `INSERT INTO accumulated_answers (session_id, question_id, section_id, answer, pages, confidence, footnote, answer_data)
         VALUES ('old-session', 'S1Q1', 'sec_1', $1, $2, $3, $4, $5::jsonb)`,
        [a.answer, a.pages, a.confidence, a.footnote, JSON.stringify(a)],
      );
      expect(await pendingMigrations(db())).toContain(loadMigrations()[PASSES_MIGRATION]!.name);
      await migrate(db());
    }, 120_000);
    afterAll(async () => t?.drop());

    it('puts existing sessions on pass 1 and existing answers as produced by pass 1', async () => {
      expect((await selectSession(db(), 'old-session'))?.currentPass).toBe(1);
      expect(await selectCurrentPass(db(), 'old-session')).toBeNull();
      const versions = await selectAnswerVersions(db(), 'old-session', null);
      expect(versions).toMatchObject([{ questionId: 'S1Q1', pass: 1, answer: 'Old answer', supersededAt: null }]);
    });

    it('queues a new pass of an old finished session, recording the original run as pass 1', async () => {
      const pass = await db().transaction((tx) =>
        queuePass(tx, {
          sessionId: 'old-session',
          questionIds: ['S1Q1'],
          skipped: [],
          engine: 'extractive',
          model: null,
          thorough: false,
          requestedBy: null,
        }),
      );
      expect(pass).toBe(2);
      const session = await selectSession(db(), 'old-session');
      expect(session).toMatchObject({ status: 'queued', currentPass: 2, completedAt: null });
      expect((await selectPasses(db(), 'old-session')).map((p) => [p.pass, p.status, p.questionIds])).toEqual([
        [1, 'completed', null],
        [2, null, ['S1Q1']],
      ]);
      // Not finished any more: a second request at the same time gets nothing.
      const again = await db().transaction((tx) =>
        queuePass(tx, {
          sessionId: 'old-session',
          questionIds: ['S1Q1'],
          skipped: [],
          engine: 'extractive',
          model: null,
          thorough: false,
          requestedBy: null,
        }),
      );
      expect(again).toBeNull();
    });
  });
}
