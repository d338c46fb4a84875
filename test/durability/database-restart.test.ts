/**
 * A database restart in the middle of a run: PostgreSQL goes away (pg_ctl stop -m fast terminates every
 * connection), /ready must say so, and when it is back the run must carry on from its checkpoints and
 * complete with every answer exactly once and no LLM call paid twice. Uses a private PostgreSQL (the shared
 * test server must not be stopped); skipped with a notice where the PostgreSQL 15 binaries are missing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/processes.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import { privatePostgresUnavailableReason, startPrivatePostgres } from '../helpers/private-postgres.js';
import {
  CleanupStack,
  countCallsBySection,
  createPlantedSpec,
  createSlowPlantedHandler,
  questionsOf,
  readAllEvents,
  requestJson,
  sleep,
  startAnalysis,
  waitFor,
  type EventsBody,
  type ResultsBody,
} from './durability-harness.js';

// Each LLM call takes this long, so the run (one call at a time) spans the outage.
const LLM_DELAY_MS = 1_000;
const SECTIONS = 6;
const QUESTIONS_PER_SECTION = 2;
// How long the database stays down: several heartbeats and at least one checkpoint attempt fall inside it.
const OUTAGE_MS = 5_000;
// Shorter than the outage: the lease expires while the database is down, as in a real restart that outlasts it.
const LEASE_MS = 3_000;

const unavailable = privatePostgresUnavailableReason();
if (unavailable) console.warn(`\n*** NOTICE: database-restart test SKIPPED: ${unavailable}\n`);

(unavailable ? describe.skip : describe)('a PostgreSQL restart during a run', () => {
  const cleanup = new CleanupStack();
  afterAll(() => cleanup.run());

  it('reports not ready while the database is down, then resumes the run and completes it with no answer lost, duplicated or paid twice', async () => {
    const database = await startPrivatePostgres();
    cleanup.add(() => database.destroy());
    const spec = await createPlantedSpec(SECTIONS, QUESTIONS_PER_SECTION);
    const fake = await startFakeLlmServer({ handler: createSlowPlantedHandler(spec.planted, LLM_DELAY_MS) });
    cleanup.add(() => fake.close());
    const server = await startServerProcess(
      {
        DATABASE_URL: database.url,
        LEASE_MS: String(LEASE_MS),
        LLM_BASE_URL: fake.url,
        LLM_API_KEY: 'test',
        LLM_MODEL: 'fake-model',
        LLM_CONCURRENCY: '1',
        LLM_TIMEOUT_MS: '20000',
      },
      90_000,
    );
    cleanup.add(async () => {
      server.kill('SIGKILL');
      await server.exited;
    });

    const id = await startAnalysis(server.baseUrl, spec.pdf, 'restart.pdf', { engine: 'llm', config: spec.config });
    await waitFor(
      async () => {
        const r = await requestJson<EventsBody>(`${server.baseUrl}/api/events/${id}?last_index=0`);
        return r.body.events.some((e) => e.event === 'window_complete');
      },
      'the first checkpoint',
      60_000,
    );

    const downAt = Date.now();
    await database.stop('fast');
    const notReady = await requestJson<{ success: boolean; code: string }>(
      `${server.baseUrl}/ready`,
      {},
      { timeoutMs: 10_000 },
    );
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ success: false, code: 'DATABASE_UNAVAILABLE' });
    // Reads of a session while the database is down fail cleanly (no hang, no crash of the process).
    const duringOutage = await requestJson<{ success: boolean }>(
      `${server.baseUrl}/api/results/${id}`,
      {},
      { timeoutMs: 10_000 },
    );
    expect(duringOutage.status).toBeGreaterThanOrEqual(500);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    await database.start();
    const upAt = Date.now();

    await waitFor(
      async () => (await requestJson(`${server.baseUrl}/ready`)).status === 200,
      '/ready after the restart',
      20_000,
    );
    const readyAfterMs = Date.now() - upAt;

    const final = await waitFor(
      async () => {
        const r = await requestJson<ResultsBody>(`${server.baseUrl}/api/results/${id}`);
        return r.status === 200 && r.body.status !== 'active' && r.body.status !== 'queued' ? r.body : null;
      },
      'the run to finish after the restart',
      60_000,
    );
    console.info(
      `database-restart: outage ${upAt - downAt} ms; /ready 200 again ${readyAfterMs} ms after the restart; run finished ${Date.now() - upAt} ms after it`,
    );

    expect(final.status, server.output().slice(-3000)).toBe('completed');
    const questions = questionsOf(final.result);
    expect(questions.map((q) => q.question_id).sort()).toEqual(Object.keys(spec.planted).sort());
    for (const q of questions) expect(q.answer, q.question_id).toBe(spec.planted[q.question_id]);
    expect(final.statistics.questions_answered).toBe(spec.totalQuestions);

    // Every section was asked exactly once: the outage cost no LLM call twice.
    const calls = countCallsBySection(fake.requests);
    expect([...calls.keys()].sort()).toEqual([...spec.sectionIdsByName.keys()].sort());
    for (const [section, n] of calls) expect(n, section).toBe(1);
    expect(final.session.total_tokens).toBe(fake.totals.total_tokens);

    const events = await readAllEvents(server.baseUrl, id);
    const indexes = events.map((e) => e.index);
    expect(new Set(indexes).size).toBe(indexes.length);
    expect(events.filter((e) => e.event === 'window_complete')).toHaveLength(SECTIONS);
    expect(events.filter((e) => e.event === 'analysis_complete')).toHaveLength(1);
    // The process kept its own run through the outage (its lease expired meanwhile): no second attempt.
    expect(new Set(events.map((e) => e.attempt).filter((a) => a !== undefined))).toEqual(new Set([1]));
    const answeredEvents = events.filter((e) => e.event === 'question_answered').map((e) => e.question_id as string);
    expect(answeredEvents.sort()).toEqual(Object.keys(spec.planted).sort());
  }, 150_000);
});
