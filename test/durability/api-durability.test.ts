/**
 * The migration plan's integration tests, on both backends, through the real server process:
 * a full analysis is stored (session, result in both formats, one row per answer, the progress log);
 * a restarted server serves the very same results, export and events; results keep the legacy format the
 * old front end and users' scripts read; and the admin list shows every session.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createPgliteDatabase } from '../../src/db/pglite-database.js';
import { startServerProcess, type Child } from '../helpers/processes.js';
import { createEmptyPostgresDatabase, postgresAvailable, type BackendKind } from '../helpers/databases.js';
import { createLongPdf } from '../helpers/pdf-factory.js';
import {
  CleanupStack,
  createPlantedSpec,
  questionsOf,
  readAllEvents,
  requestJson,
  sleep,
  startAnalysis,
  waitFor,
  type ResultsBody,
} from './durability-harness.js';

const backends: Array<{ kind: BackendKind; run: boolean }> = [
  { kind: 'pglite', run: true },
  { kind: 'postgres', run: postgresAvailable() },
];

interface AdminList {
  success: boolean;
  total: number;
  sessions: Array<{
    session_id: string;
    status: string;
    pdf_filename: string;
    questions_answered: number;
    total_questions: number;
  }>;
}

async function stopGracefully(server: Child): Promise<void> {
  server.kill('SIGTERM');
  const exit = await Promise.race([server.exited, sleep(30_000).then(() => null)]);
  if (!exit) server.kill('SIGKILL');
  expect(exit?.code, server.output().slice(-3000)).toBe(0);
}

/** What the stored tables hold for one session, read directly (no server involved). */
async function readStored(db: Database, id: string) {
  const result = await db.query<{ has_full: boolean; has_legacy: boolean; legacy_questions: number }>(
    `SELECT result_data IS NOT NULL AS has_full, legacy_result_data IS NOT NULL AS has_legacy,
            (SELECT count(*)::int FROM jsonb_array_elements(legacy_result_data->'sections') s, jsonb_array_elements(s->'questions') q) AS legacy_questions
     FROM analysis_results WHERE session_id = $1`,
    [id],
  );
  const answers = await db.query<{ question_id: string; answer: string | null; pages: number[] }>(
    'SELECT question_id, answer, pages FROM accumulated_answers WHERE session_id = $1 ORDER BY question_id',
    [id],
  );
  const events = await db.query<{ event_index: number; event_type: string }>(
    'SELECT event_index, event_type FROM session_events WHERE session_id = $1 ORDER BY event_index',
    [id],
  );
  const session = await db.query<{ status: string; questions_answered: number }>(
    'SELECT status, questions_answered FROM sessions WHERE session_id = $1',
    [id],
  );
  return {
    result: result.rows[0] ?? null,
    answers: answers.rows,
    events: events.rows,
    session: session.rows[0] ?? null,
  };
}

for (const backend of backends) {
  (backend.run ? describe : describe.skip)(
    `API durability [${backend.kind}${backend.run ? '' : ': SKIPPED, PostgreSQL not reachable'}]`,
    () => {
      const cleanup = new CleanupStack();
      afterAll(() => cleanup.run());

      it('stores a full analysis, serves identical results, export and events after a server restart, in the legacy format, listed for the admin', async () => {
        let env: NodeJS.ProcessEnv;
        let openDirect: () => Promise<Database>;
        if (backend.kind === 'pglite') {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-api-durability-'));
          cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
          env = { DATA_DIR: dir, DATABASE_URL: '' };
          openDirect = () => createPgliteDatabase({ dataDir: path.join(dir, 'pglite') });
        } else {
          const database = await createEmptyPostgresDatabase();
          cleanup.add(database.drop);
          env = { DATABASE_URL: database.url };
          openDirect = async () =>
            createPgDatabase({
              url: database.url,
              directUrl: null,
              poolMax: 2,
              statementTimeoutMs: 30_000,
              ssl: 'off',
            });
        }
        const spec = await createPlantedSpec(3, 3);
        const longPdf = await createLongPdf(12);

        const first = await startServerProcess(env, 120_000);
        cleanup.add(async () => {
          first.kill('SIGKILL');
          await first.exited;
        });
        const planted = await startAnalysis(first.baseUrl, spec.pdf, 'Durability Planted.pdf', {
          engine: 'extractive',
          config: spec.config,
        });
        const cipp = await startAnalysis(first.baseUrl, longPdf, 'Durability CIPP.pdf', {
          engine: 'extractive',
          sections: ['general_info', 'materials_standards'],
        });
        const ids = [planted, cipp];
        for (const id of ids) {
          await waitFor(
            async () => {
              const r = await requestJson<ResultsBody>(`${first.baseUrl}/api/results/${id}`);
              return r.body.status === 'completed';
            },
            `session ${id} to complete`,
            60_000,
          );
        }

        const before = new Map<string, { results: string; exportJson: string; events: unknown[] }>();
        for (const id of ids) {
          const results = await fetch(`${first.baseUrl}/api/results/${id}`);
          const exportRes = await fetch(`${first.baseUrl}/api/export/${id}?format=json`);
          expect(exportRes.status).toBe(200);
          before.set(id, {
            results: await results.text(),
            exportJson: await exportRes.text(),
            events: await readAllEvents(first.baseUrl, id),
          });
        }

        // The legacy result format (PRODUCT.md) and the statistics strings.
        for (const id of ids) {
          const body = JSON.parse(before.get(id)!.results) as ResultsBody;
          expect(body).toMatchObject({ success: true, status: 'completed', partial: false });
          const result = body.result;
          expect(Object.keys(result)).toEqual(
            expect.arrayContaining([
              'sections',
              'document_name',
              'total_pages',
              'questions_answered',
              'total_questions',
              'metadata',
            ]),
          );
          expect(Object.keys(result.metadata)).toEqual(
            expect.arrayContaining(['started_at', 'completed_at', 'total_tokens', 'estimated_cost']),
          );
          for (const section of result.sections) {
            expect(Object.keys(section)).toEqual(
              expect.arrayContaining(['section_id', 'section_name', 'description', 'questions']),
            );
            for (const q of section.questions) {
              expect(Object.keys(q)).toEqual(
                expect.arrayContaining([
                  'question_id',
                  'question',
                  'answer',
                  'page_citations',
                  'confidence',
                  'footnote',
                ]),
              );
              expect(q.answer === null || typeof q.answer === 'string').toBe(true);
              expect(q.page_citations.every((p) => Number.isInteger(p) && p >= 1 && p <= result.total_pages)).toBe(
                true,
              );
              expect(q.confidence).toBeGreaterThanOrEqual(0);
              expect(q.confidence).toBeLessThanOrEqual(1);
              if (q.answer === null) expect(q.page_citations).toEqual([]);
            }
          }
          const questions = questionsOf(result);
          const answered = questions.filter((q) => q.answer !== null).length;
          expect(result.total_questions).toBe(questions.length);
          expect(result.questions_answered).toBe(answered);
          expect(body.statistics.estimated_cost).toMatch(/^\$\d+\.\d{4}$/);
          expect(body.statistics.average_confidence).toMatch(/^\d{1,3}%$/);
          expect(body.statistics.questions_answered).toBe(answered);
          expect(body.statistics.total_questions).toBe(questions.length);
          expect(typeof body.statistics.processing_time).toBe('number');
          expect(typeof body.statistics.total_tokens).toBe('number');
        }
        const plantedResult = (JSON.parse(before.get(planted)!.results) as ResultsBody).result;
        expect(plantedResult.document_name).toBe('Durability Planted.pdf');
        expect(plantedResult.total_pages).toBe(spec.totalQuestions);
        expect(questionsOf(plantedResult).map((q) => q.question_id)).toEqual(
          spec.config.sections.flatMap((s) => s.questions.map((q) => q.id)),
        );
        // Counts are over the sections actually analysed.
        const cippResult = (JSON.parse(before.get(cipp)!.results) as ResultsBody).result;
        expect(cippResult.sections.map((s) => s.section_id)).toEqual(['general_info', 'materials_standards']);
        expect(cippResult.total_questions).toBe(20);

        // The admin list shows every session.
        const adminBefore = await requestJson<AdminList>(`${first.baseUrl}/api/admin/analyses?limit=50`);
        expect(adminBefore.status).toBe(200);
        expect(adminBefore.body.total).toBe(ids.length);
        expect(adminBefore.body.sessions.map((s) => s.session_id).sort()).toEqual([...ids].sort());
        expect(adminBefore.body.sessions.map((s) => s.pdf_filename).sort()).toEqual([
          'Durability CIPP.pdf',
          'Durability Planted.pdf',
        ]);

        await stopGracefully(first);

        // Stored: the result in both formats, one row per question, the progress log — read with no server running.
        const direct = await openDirect();
        try {
          for (const id of ids) {
            const stored = await readStored(direct, id);
            const body = JSON.parse(before.get(id)!.results) as ResultsBody;
            expect(stored.session).toMatchObject({
              status: 'completed',
              questions_answered: body.result.questions_answered,
            });
            expect(stored.result).toMatchObject({
              has_full: true,
              has_legacy: true,
              legacy_questions: body.result.total_questions,
            });
            expect(stored.answers.filter((a) => a.answer !== null)).toHaveLength(body.result.questions_answered);
            expect(new Set(stored.answers.map((a) => a.question_id)).size).toBe(stored.answers.length);
            for (const q of questionsOf(body.result).filter((x) => x.answer !== null)) {
              expect(stored.answers.find((a) => a.question_id === q.question_id)).toMatchObject({
                answer: q.answer,
                pages: q.page_citations,
              });
            }
            const served = before.get(id)!.events as Array<{ index: number; event: string }>;
            expect(stored.events.map((e) => [e.event_index, e.event_type])).toEqual(
              served.map((e) => [e.index, e.event]),
            );
            expect(stored.events.at(-1)?.event_type).toBe('analysis_complete');
          }
        } finally {
          await direct.close();
        }

        // A new server process on the same data serves exactly the same bytes.
        const second = await startServerProcess(env, 120_000);
        cleanup.add(async () => {
          second.kill('SIGKILL');
          await second.exited;
        });
        for (const id of ids) {
          const saved = before.get(id)!;
          expect(await (await fetch(`${second.baseUrl}/api/results/${id}`)).text()).toBe(saved.results);
          expect(await (await fetch(`${second.baseUrl}/api/export/${id}?format=json`)).text()).toBe(saved.exportJson);
          expect(await readAllEvents(second.baseUrl, id)).toEqual(saved.events);
        }
        const adminAfter = await requestJson<AdminList>(`${second.baseUrl}/api/admin/analyses?limit=50`);
        expect(adminAfter.body).toEqual(adminBefore.body);
        await stopGracefully(second);
      }, 240_000);
    },
  );
}
