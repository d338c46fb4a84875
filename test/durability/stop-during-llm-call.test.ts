/**
 * Stop while an LLM call is in flight, on both backends (a real server process each): the stop must not wait
 * for the slow call (which would outlast the test): the run ends `partial`, keeps the answers already
 * checkpointed, aborts the in-flight HTTP request (so it is not paid for), and a second stop is a harmless no-op.
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
  waitForFinalStatus,
  type EventsBody,
} from './durability-harness.js';
import { HUNG_MS, STOPPED_WITHIN_MS } from '../helpers/bounded-wait.js';

// The first unit answers quickly (so there are answers to keep); every later call lasts far longer than the
// test, so only the stop can end it. STOPPED_WITHIN_MS bounds the stop on a busy machine (not a speed claim).
const FAST_CALL_MS = 100;
const SLOW_CALL_MS = HUNG_MS;

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
  (backend.run ? describe : describe.skip)(
    `stop during an LLM call [${backend.kind}${backend.run ? '' : ': SKIPPED, PostgreSQL not reachable'}]`,
    () => {
      const cleanup = new CleanupStack();
      afterAll(() => cleanup.run());

      it('ends the run partial, keeps earlier answers, aborts the in-flight call and is idempotent', async () => {
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
          {
            ...env,
            LLM_BASE_URL: fake.url,
            LLM_API_KEY: 'test',
            LLM_MODEL: 'fake-model',
            LLM_CONCURRENCY: '1',
            LLM_TIMEOUT_MS: String(HUNG_MS),
          },
          240_000,
        );
        cleanup.add(async () => {
          server.kill('SIGKILL');
          await server.exited;
        });

        const id = await startAnalysis(server.baseUrl, spec.pdf, 'stop.pdf', { engine: 'llm', config: spec.config });
        await waitFor(
          async () => {
            const r = await requestJson<EventsBody>(`${server.baseUrl}/api/events/${id}?last_index=0`);
            return r.body.status === 'active' && r.body.events.some((e) => e.event === 'window_complete');
          },
          'the first unit to be checkpointed',
          180_000,
        );
        await fake.waitForRequests(2, 180_000);
        const inFlight = fake.requests[1]!;
        expect(inFlight.endedAt).toBeNull();

        const stopStarted = Date.now();
        const stop = await requestJson<StopBody>(
          `${server.baseUrl}/api/stop/${id}`,
          { method: 'POST' },
          { timeoutMs: STOPPED_WITHIN_MS, retries: 0 },
        );
        const stopMs = Date.now() - stopStarted;
        console.info(
          `stop-during-llm-call [${backend.kind}]: POST /api/stop answered ${stop.body.status} in ${stopMs} ms while a call was in flight`,
        );
        expect(stop.status).toBe(200);
        expect(stop.body).toMatchObject({ success: true, already_finished: false });

        const result = { body: await waitForFinalStatus(server.baseUrl, id, STOPPED_WITHIN_MS) };
        expect(result.body.status).toBe('partial');
        expect(result.body.partial).toBe(true);
        // The first unit's answers are kept; nothing after it was answered.
        const firstSectionId = spec.sectionIdsByName.get(sectionOfRequest(fake.requests[0]!) ?? '');
        const firstSectionQuestions =
          spec.config.sections.find((s) => s.section_id === firstSectionId)?.questions.map((q) => q.id) ?? [];
        expect(firstSectionQuestions).toHaveLength(2);
        const answered = questionsOf(result.body.result).filter((q) => q.answer !== null);
        expect(answered.map((q) => q.question_id).sort()).toEqual(firstSectionQuestions.sort());
        for (const q of answered) expect(q.answer).toBe(spec.planted[q.question_id]);
        expect(result.body.statistics.questions_answered).toBe(2);

        const again = await requestJson<StopBody>(
          `${server.baseUrl}/api/stop/${id}`,
          { method: 'POST' },
          { retries: 0 },
        );
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({ success: true, status: 'partial', already_finished: true });

        // The slow call was abandoned (connection closed by the server's client), not waited for nor paid.
        await expectCallAbandoned(fake, inFlight, STOPPED_WITHIN_MS);

        const events = await readAllEvents(server.baseUrl, id);
        expect(events.filter((e) => e.event === 'analysis_stopped')).toHaveLength(1);
        expect(events.at(-1)?.event).toBe('analysis_stopped');
        expect(events.some((e) => e.event === 'analysis_complete')).toBe(false);
      }, 600_000);
    },
  );
}
