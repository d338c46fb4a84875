/**
 * Stop while an LLM call is in flight, on both backends (a real server process each): the stop must not wait
 * for the slow call — it answers within 2 s with `partial`, keeps the answers already checkpointed, aborts
 * the in-flight HTTP request (so it is not paid for), and a second stop is a harmless no-op.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/processes.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import { createEmptyPostgresDatabase, postgresAvailable, type BackendKind } from '../helpers/databases.js';
import {
  CleanupStack,
  createPlantedSpec,
  createSlowPlantedHandler,
  expectCallAbandoned,
  questionsOf,
  readAllEvents,
  requestJson,
  sectionOfRequest,
  startAnalysis,
  waitFor,
  type EventsBody,
  type ResultsBody,
} from './durability-harness.js';

// The first unit answers quickly (so there are answers to keep); every later call is this slow.
const FAST_CALL_MS = 100;
const SLOW_CALL_MS = 10_000;
const STOP_BUDGET_MS = 2_000;

interface StopBody {
  success: boolean;
  status: string;
  already_finished: boolean;
  message: string;
}

const backends: Array<{ kind: BackendKind; run: boolean }> = [
  { kind: 'pglite', run: true },
  { kind: 'postgres', run: postgresAvailable() },
];

for (const backend of backends) {
  (backend.run ? describe : describe.skip)(`stop during an LLM call [${backend.kind}${backend.run ? '' : ': SKIPPED, PostgreSQL not reachable'}]`, () => {
    const cleanup = new CleanupStack();
    afterAll(() => cleanup.run());

    it('answers partial within 2 s, keeps earlier answers, aborts the in-flight call and is idempotent', async () => {
      let env: NodeJS.ProcessEnv;
      if (backend.kind === 'pglite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-stop-'));
        cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
        env = { DATA_DIR: dir, DATABASE_URL: '' };
      } else {
        const database = await createEmptyPostgresDatabase();
        cleanup.add(database.drop);
        env = { DATABASE_URL: database.url };
      }
      const spec = await createPlantedSpec(3, 2);
      const fast = createSlowPlantedHandler(spec.planted, FAST_CALL_MS);
      const slow = createSlowPlantedHandler(spec.planted, SLOW_CALL_MS);
      const fake = await startFakeLlmServer({ handler: (r) => (r.index === 0 ? fast(r) : slow(r)) });
      cleanup.add(() => fake.close());
      const server = await startServerProcess(
        { ...env, LLM_BASE_URL: fake.url, LLM_API_KEY: 'test', LLM_MODEL: 'fake-model', LLM_CONCURRENCY: '1', LLM_TIMEOUT_MS: '60000' },
        120_000,
      );
      cleanup.add(async () => {
        server.kill('SIGKILL');
        await server.exited;
      });

      const id = await startAnalysis(server.baseUrl, spec.pdf, 'stop.pdf', { engine: 'llm', config: spec.config });
      await waitFor(async () => {
        const r = await requestJson<EventsBody>(`${server.baseUrl}/api/events/${id}?last_index=0`);
        return r.body.status === 'active' && r.body.events.some((e) => e.event === 'window_complete');
      }, 'the first unit to be checkpointed', 60_000);
      await fake.waitForRequests(2, 10_000);
      const inFlight = fake.requests[1]!;
      expect(inFlight.endedAt).toBeNull();

      const stopStarted = Date.now();
      const stop = await requestJson<StopBody>(`${server.baseUrl}/api/stop/${id}`, { method: 'POST' }, { timeoutMs: 10_000, retries: 0 });
      const stopMs = Date.now() - stopStarted;
      console.info(`stop-during-llm-call [${backend.kind}]: POST /api/stop answered in ${stopMs} ms while a ${SLOW_CALL_MS} ms call was in flight`);
      expect(stop.status).toBe(200);
      expect(stop.body).toMatchObject({ success: true, status: 'partial', already_finished: false });
      expect(stopMs).toBeLessThan(STOP_BUDGET_MS);

      const result = await requestJson<ResultsBody>(`${server.baseUrl}/api/results/${id}`);
      expect(result.body.status).toBe('partial');
      expect(result.body.partial).toBe(true);
      // The first unit's answers are kept; nothing after it was answered.
      const firstSectionId = spec.sectionIdsByName.get(sectionOfRequest(fake.requests[0]!) ?? '');
      const firstSectionQuestions = spec.config.sections.find((s) => s.section_id === firstSectionId)?.questions.map((q) => q.id) ?? [];
      expect(firstSectionQuestions).toHaveLength(2);
      const answered = questionsOf(result.body.result).filter((q) => q.answer !== null);
      expect(answered.map((q) => q.question_id).sort()).toEqual(firstSectionQuestions.sort());
      for (const q of answered) expect(q.answer).toBe(spec.planted[q.question_id]);
      expect(result.body.statistics.questions_answered).toBe(2);

      const again = await requestJson<StopBody>(`${server.baseUrl}/api/stop/${id}`, { method: 'POST' }, { retries: 0 });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ success: true, status: 'partial', already_finished: true });

      // The slow call was abandoned (connection closed by the server's client), not waited for nor paid.
      await expectCallAbandoned(fake, inFlight, stopStarted, STOP_BUDGET_MS);

      const events = await readAllEvents(server.baseUrl, id);
      expect(events.filter((e) => e.event === 'analysis_stopped')).toHaveLength(1);
      expect(events.at(-1)?.event).toBe('analysis_stopped');
      expect(events.some((e) => e.event === 'analysis_complete')).toBe(false);
    }, 150_000);
  });
}
