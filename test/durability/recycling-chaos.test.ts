/**
 * The setting that lost the old system's results: workers recycled after a few requests (MAX_REQUESTS, like
 * Gunicorn's max_requests) while analyses run and clients poll. Two cluster workers on one PostgreSQL
 * database, recycled every 20–25 requests; four analyses (two extractive on 30-page PDFs, two llm runs slow
 * enough to span several recycles); clients poll results and events throughout. Nothing may 404, every run
 * must complete, and no answer or event may be lost or duplicated.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type Child } from '../helpers/processes.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';
import { createLongPdf } from '../helpers/pdf-factory.js';
import {
  CleanupStack,
  createPlantedSpec,
  createSlowPlantedHandler,
  isStrictlyIncreasing,
  questionsOf,
  readAllEvents,
  requestJson,
  sleep,
  startAnalysis,
  type EventsBody,
  type ProgressEvent,
  type ResultsBody,
} from './durability-harness.js';

const MAX_REQUESTS = 20;
const MAX_REQUESTS_JITTER = 5;
const POLL_INTERVAL_MS = 100;
// A bound for a busy machine, not a speed claim (idle, the runs take ~20–40 s).
const RUNS_DEADLINE_MS = 240_000;
// Recycling is driven by request counts, and how many requests the pollers make while the runs last depends on
// the machine's speed; extra requests (every DRIVE_INTERVAL_MS) make sure this many workers are recycled
// while the runs are still going, however fast or slow the machine is.
const RECYCLED_WORKERS_WANTED = 2;
const DRIVE_INTERVAL_MS = 20;
// llm runs: 8 one-call units of this many ms each, one call at a time per process: long enough to span several
// recycles.
const LLM_DELAY_MS = 2_000;
const TERMINAL = new Set(['completed', 'partial', 'failed']);

interface PollStats {
  requests: number;
  retried: number;
  retryCauses: string[];
  byStatus: Map<number, number>;
  /** Requests that failed even after their retry (hang or reset twice), and why. */
  unanswered: number;
  unansweredCauses: string[];
  events: ProgressEvent[];
  eventOrderErrors: string[];
  finalStatus: string | null;
}

/** Poll /api/results and /api/events (with a last_index cursor) until the session is terminal. */
async function pollSession(baseUrl: string, id: string, deadline: number): Promise<PollStats> {
  const stats: PollStats = {
    requests: 0,
    retried: 0,
    retryCauses: [],
    byStatus: new Map(),
    unanswered: 0,
    unansweredCauses: [],
    events: [],
    eventOrderErrors: [],
    finalStatus: null,
  };
  const count = (status: number, retries: number, firstError: string | null) => {
    stats.requests += 1;
    stats.retried += retries;
    if (firstError) stats.retryCauses.push(firstError);
    stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
  };
  let cursor = 0;
  while (Date.now() < deadline) {
    try {
      const r = await requestJson<ResultsBody>(`${baseUrl}/api/results/${id}`);
      count(r.status, r.retries, r.firstError);
    } catch (err) {
      stats.unanswered += 1;
      stats.unansweredCauses.push(`${new Date().toISOString()} results: ${(err as Error).message}`);
    }
    try {
      const e = await requestJson<EventsBody>(`${baseUrl}/api/events/${id}?last_index=${cursor}`);
      count(e.status, e.retries, e.firstError);
      if (e.status === 200) {
        for (const ev of e.body.events) {
          if (ev.index <= cursor) stats.eventOrderErrors.push(`event ${ev.index} (${ev.event}) after cursor ${cursor}`);
          stats.events.push(ev);
          cursor = Math.max(cursor, ev.index);
        }
        if (TERMINAL.has(e.body.status) && e.body.events.length === 0) {
          stats.finalStatus = e.body.status;
          return stats;
        }
      }
    } catch (err) {
      stats.unanswered += 1;
      stats.unansweredCauses.push(`${new Date().toISOString()} events: ${(err as Error).message}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  return stats;
}

/** Request /health until `wanted` distinct workers have been recycled, or `stop()` is called. */
function driveRecycles(
  server: Child & { baseUrl: string },
  wanted: number,
  deadline: number,
): { stop(): Promise<void> } {
  let stopped = false;
  const recycledWorkers = () =>
    new Set(
      parseJsonLines(server.output())
        .filter((l) => l.msg === 'recycling worker')
        .map((l) => l.worker),
    ).size;
  const driving = (async () => {
    while (!stopped && Date.now() < deadline && recycledWorkers() < wanted) {
      // the pollers judge answers
      await requestJson(`${server.baseUrl}/health`, {}, { timeoutMs: 5_000 }).catch(() => undefined);
      await sleep(DRIVE_INTERVAL_MS);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await driving;
    },
  };
}

function parseJsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

(postgresAvailable() ? describe : describe.skip)(
  `worker recycling under load${postgresAvailable() ? '' : ' [SKIPPED: PostgreSQL not reachable]'}`,
  () => {
    const cleanup = new CleanupStack();
    afterAll(() => cleanup.run());

    it(
      'completes every analysis with no 404, no lost or duplicated answer or event, while workers are recycled',
      async () => {
        const database = await createEmptyPostgresDatabase();
        cleanup.add(database.drop);
        const spec = await createPlantedSpec(8, 2);
        const fake = await startFakeLlmServer({ handler: createSlowPlantedHandler(spec.planted, LLM_DELAY_MS) });
        cleanup.add(() => fake.close());
        const [pdfA, pdfB] = await Promise.all([createLongPdf(30), createLongPdf(36)]);

        const startedAt = Date.now();
        const server: Child & { baseUrl: string } = await startServerProcess(
          {
            DATABASE_URL: database.url,
            WEB_CONCURRENCY: '2',
            MAX_REQUESTS: String(MAX_REQUESTS),
            MAX_REQUESTS_JITTER: String(MAX_REQUESTS_JITTER),
            LEASE_MS: '3000',
            LLM_BASE_URL: fake.url,
            LLM_API_KEY: 'test',
            LLM_MODEL: 'fake-model',
            LLM_CONCURRENCY: '1',
          },
          120_000,
        );
        cleanup.add(async () => {
          // SIGTERM lets the primary stop its workers; a primary killed outright takes its workers with it
          // (cluster workers exit when the IPC channel to the primary closes).
          server.kill('SIGTERM');
          const stopped = await Promise.race([server.exited.then(() => true), sleep(20_000).then(() => false)]);
          if (!stopped) server.kill('SIGKILL');
          await server.exited;
        });

        const ids = await Promise.all([
          startAnalysis(server.baseUrl, pdfA, 'chaos-extractive-a.pdf', { engine: 'extractive' }),
          startAnalysis(server.baseUrl, spec.pdf, 'chaos-llm-a.pdf', { engine: 'llm', config: spec.config }),
          startAnalysis(server.baseUrl, pdfB, 'chaos-extractive-b.pdf', { engine: 'extractive' }),
          startAnalysis(server.baseUrl, spec.pdf, 'chaos-llm-b.pdf', { engine: 'llm', config: spec.config }),
        ]);
        const runsStartedAt = Date.now();
        const llmIds = new Set([ids[1], ids[3]]);
        const deadline = Date.now() + RUNS_DEADLINE_MS;
        const driver = driveRecycles(server, RECYCLED_WORKERS_WANTED, deadline);
        const polls = await Promise.all(ids.map((id) => pollSession(server.baseUrl, id, deadline)));
        const runsMs = Date.now() - runsStartedAt;
        await driver.stop();

        const log = parseJsonLines(server.output());
        const recycled = log.filter((l) => l.msg === 'recycling worker').map((l) => l.worker);
        const crashed = log.filter((l) => l.msg === 'worker exited' && l.recycled === false);
        const takeovers = new Set<string>();
        const totalRequests = polls.reduce((n, p) => n + p.requests, 0);
        const retried = polls.reduce((n, p) => n + p.retried, 0);
        const retryCauses = [...new Set(polls.flatMap((p) => p.retryCauses))];
        const statuses = new Map<number, number>();
        for (const p of polls) for (const [s, n] of p.byStatus) statuses.set(s, (statuses.get(s) ?? 0) + n);

        for (const [i, id] of ids.entries()) {
          const poll = polls[i]!;
          expect(poll.finalStatus, `session ${id} did not finish:\n${server.output().slice(-3000)}`).toBe('completed');
          const result = await requestJson<ResultsBody>(`${server.baseUrl}/api/results/${id}`);
          expect(result.status).toBe(200);
          expect(result.body.status).toBe('completed');
          const questionIds = questionsOf(result.body.result).map((q) => q.question_id);
          expect(new Set(questionIds).size, `duplicate questions in ${id}`).toBe(questionIds.length);
          expect(questionIds).toHaveLength(result.body.result.total_questions);
          if (llmIds.has(id)) {
            expect(questionIds.sort()).toEqual(Object.keys(spec.planted).sort());
            for (const q of questionsOf(result.body.result))
              expect(q.answer, q.question_id).toBe(spec.planted[q.question_id]);
          } else {
            expect(questionIds).toHaveLength(100); // the default CIPP config
          }

          // Events: what the poller saw is exactly what is stored, strictly increasing, one terminal event.
          expect(poll.eventOrderErrors).toEqual([]);
          const stored = await readAllEvents(server.baseUrl, id);
          expect(poll.events.map((e) => e.index)).toEqual(stored.map((e) => e.index));
          expect(isStrictlyIncreasing(stored.map((e) => e.index))).toBe(true);
          expect(stored.filter((e) => e.event === 'analysis_complete')).toHaveLength(1);
          expect(stored.at(-1)?.event).toBe('analysis_complete');
          const answeredEvents = stored
            .filter((e) => e.event === 'question_answered')
            .map((e) => e.question_id as string);
          expect(new Set(answeredEvents).size, `duplicate question_answered events in ${id}`).toBe(
            answeredEvents.length,
          );
          expect(answeredEvents.length).toBe(result.body.result.questions_answered);
          for (const e of stored) if (Number(e.attempt) > 1) takeovers.add(id);
        }

        console.info(
          `recycling-chaos: server ready in ${runsStartedAt - startedAt} ms, runs done in ${runsMs} ms; ${totalRequests} polling requests (${retried} needed their retry${retryCauses.length ? `: ${retryCauses.join('; ')}` : ''}), statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
            `${recycled.length} workers recycled (pids ${recycled.join(', ')}); ${takeovers.size} of ${ids.length} runs resumed by another attempt`,
        );
        expect(statuses.get(404) ?? 0).toBe(0);
        expect([...statuses.keys()]).toEqual([200]);
        expect(
          polls.reduce((n, p) => n + p.unanswered, 0),
          `unanswered: ${polls.flatMap((p) => p.unansweredCauses).join('; ')}\n${server.output().slice(-3000)}`,
        ).toBe(0);
        expect(new Set(recycled).size).toBeGreaterThanOrEqual(RECYCLED_WORKERS_WANTED);
        expect(crashed).toEqual([]);
      },
      RUNS_DEADLINE_MS + 180_000,
    );
  },
);
