/**
 * SIGTERM (a deploy, a worker recycle) while a client watches an active run over SSE: the process ends the
 * progress stream (telling the client to reconnect), releases the run's lease without counting a failed
 * attempt, and exits 0 promptly — not after the 25 s last-resort timeout with exit 1. The next process then
 * resumes and finishes the run. Real server processes, real PostgreSQL (and PGlite on a data directory).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';
import { startServerProcess } from '../helpers/processes.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart } from '../helpers/test-app.js';
import { makeQuestionConfig } from '../helpers/factories.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { createPgliteDatabase } from '../../src/db/pglite-database.js';
import {
  CleanupStack,
  createPlantedSpec,
  createSlowPlantedHandler,
  requestJson,
  startAnalysis,
  waitFor,
  type EventsBody,
  type ResultsBody,
} from './durability-harness.js';

// Every LLM call takes this long (one at a time), so the run is mid-call when SIGTERM arrives.
const LLM_DELAY_MS = 1_500;
// The bound the deploy needs; generous compared with what a graceful shutdown takes (well under a second).
const EXIT_BOUND_MS = 5_000;

interface RunRow {
  status: string;
  lease_owner: string | null;
  failed_attempts: number;
  attempt: number;
}

/** GET /api/progress/:id read raw (comments included) until the server ends it, or until `timeoutMs`. */
function followProgressRaw(
  url: string,
  timeoutMs: number,
): { text: () => string; firstEvent: Promise<void>; ended: Promise<{ endedByServer: boolean }> } {
  let text = '';
  let sawEvent: () => void = () => undefined;
  const firstEvent = new Promise<void>((resolve) => (sawEvent = resolve));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const ended = (async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
      if (res.status !== 200 || !res.body) throw new Error(`progress stream answered ${res.status}`);
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (text.includes('\ndata: ')) sawEvent();
      }
      return { endedByServer: true };
    } catch (err) {
      if (controller.signal.aborted) return { endedByServer: false };
      throw err;
    } finally {
      clearTimeout(timer);
    }
  })();
  return { text: () => text, firstEvent, ended };
}

/** SIGTERM, then wait (bounded) for the exit. */
async function terminate(
  server: Awaited<ReturnType<typeof startServerProcess>>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  const sentAt = Date.now();
  server.kill('SIGTERM');
  const exit = await Promise.race([
    server.exited,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), EXIT_BOUND_MS).unref()),
  ]);
  console.info(
    `graceful-shutdown: SIGTERM → ${exit === 'still running' ? 'still running' : `exit ${exit.code ?? exit.signal}`} after ${Date.now() - sentAt} ms`,
  );
  return exit;
}

async function sigtermWhileWatched(
  env: NodeJS.ProcessEnv,
  readRow: (id: string) => Promise<RunRow>,
  cleanup: CleanupStack,
): Promise<void> {
  const spec = await createPlantedSpec(4, 2);
  const fake = await startFakeLlmServer({ handler: createSlowPlantedHandler(spec.planted, LLM_DELAY_MS) });
  cleanup.add(() => fake.close());
  const llmEnv = {
    ...env,
    LLM_BASE_URL: fake.url,
    LLM_API_KEY: 'test',
    LLM_MODEL: 'fake-model',
    LLM_CONCURRENCY: '1',
    LOG_LEVEL: 'info',
  };

  const first = await startServerProcess(llmEnv, 90_000);
  cleanup.add(async () => {
    first.kill('SIGKILL');
    await first.exited;
  });
  const id = await startAnalysis(first.baseUrl, spec.pdf, 'deploy.pdf', { engine: 'llm', config: spec.config });
  const stream = followProgressRaw(`${first.baseUrl}/api/progress/${id}`, 60_000);
  await stream.firstEvent;
  // Really active: claimed here, a unit checkpointed, and the next LLM call in flight.
  await waitFor(
    async () => {
      const r = await requestJson<EventsBody>(`${first.baseUrl}/api/events/${id}?last_index=0`);
      return r.body.status === 'active' && r.body.events.some((e) => e.event === 'window_complete');
    },
    'the first unit to be checkpointed',
    60_000,
  );
  await waitFor(async () => fake.totals.inFlight > 0, 'an LLM call in flight', 10_000, 20);

  const exit = await terminate(first);
  expect(
    exit,
    `process did not exit within ${EXIT_BOUND_MS} ms of SIGTERM; output:\n${first.output().slice(-3000)}`,
  ).not.toBe('still running');
  expect(exit).toEqual({ code: 0, signal: null });
  expect(first.output()).not.toMatch(/graceful shutdown timed out/);

  // The stream was ended by the server with the reconnect hint, not left to time out.
  const ended = await stream.ended;
  expect(ended.endedByServer).toBe(true);
  expect(stream.text()).toMatch(/: server shutting down; reconnect to resume/);

  // Lease handed back; a deploy is not a failure.
  const released = await readRow(id);
  expect(released).toMatchObject({ status: 'active', lease_owner: null, failed_attempts: 0, attempt: 1 });

  // The next process resumes it and finishes, still without a failed attempt.
  const second = await startServerProcess(llmEnv, 90_000);
  cleanup.add(async () => {
    second.kill('SIGKILL');
    await second.exited;
  });
  const done = await waitFor(
    async () => {
      const r = await requestJson<ResultsBody>(`${second.baseUrl}/api/results/${id}`);
      return ['completed', 'partial', 'failed'].includes(r.body.status) ? r.body : null;
    },
    'the next process to finish the run',
    90_000,
  );
  expect(done.status).toBe('completed');
  expect(done.result.questions_answered).toBe(spec.totalQuestions);
  const secondExit = await terminate(second);
  expect(secondExit).toEqual({ code: 0, signal: null });
  const finished = await readRow(id);
  expect(finished).toMatchObject({ status: 'completed', failed_attempts: 0, attempt: 2 });
}

describe('SIGTERM while a client holds /api/progress on an active run', () => {
  const cleanup = new CleanupStack();
  afterAll(() => cleanup.run());

  (postgresAvailable() ? it : it.skip)(
    `exits 0 within 5 s, ends the stream, releases the lease without a failed attempt, and the next process finishes the run [postgres${postgresAvailable() ? '' : ': SKIPPED, not reachable'}]`,
    async () => {
      const database = await createEmptyPostgresDatabase();
      cleanup.add(database.drop);
      const readRow = async (id: string) => {
        const c = new pg.Client({ connectionString: database.url });
        await c.connect();
        try {
          return (
            await c.query<RunRow>(
              'SELECT status, lease_owner, failed_attempts, attempt FROM sessions WHERE session_id = $1',
              [id],
            )
          ).rows[0]!;
        } finally {
          await c.end();
        }
      };
      await sigtermWhileWatched({ DATABASE_URL: database.url }, readRow, cleanup);
    },
    240_000,
  );

  it('exits 0 within 5 s, ends the stream, releases the lease without a failed attempt, and the next process finishes the run [pglite]', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-sigterm-'));
    cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
    // PGlite belongs to one process: the row is read between the two servers, with neither running.
    const readRow = async (id: string) => {
      const db = await createPgliteDatabase({ dataDir: path.join(dir, 'pglite') });
      try {
        return (
          await db.query<RunRow>(
            'SELECT status, lease_owner, failed_attempts, attempt FROM sessions WHERE session_id = $1',
            [id],
          )
        ).rows[0]!;
      } finally {
        await db.close();
      }
    };
    await sigtermWhileWatched({ DATA_DIR: dir, DATABASE_URL: '' }, readRow, cleanup);
  }, 240_000);
});

describeEachDatabase('app.close() in a test, while a client holds /api/progress on an active run', ({ db }) => {
  const cleanup = new CleanupStack();
  afterAll(() => cleanup.run());

  it('ends the stream and releases the run (not a failed attempt), exactly as the server’s shutdown does', async () => {
    // The model never answers: the run stays mid-call until the shutdown aborts it.
    const fake = await startFakeLlmServer({ handler: () => ({ hang: true }) });
    cleanup.add(() => fake.close());
    const t = await createTestApp(db(), { LLM_BASE_URL: fake.url, LLM_API_KEY: 'test', LLM_MODEL: 'fake-model' });
    let closed = false;
    cleanup.add(() => (closed ? undefined : t.close()));
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });

    const config = makeQuestionConfig(1, 1);
    config.sections[0]!.questions[0]!.text = 'What is the minimum liner thickness?';
    const m = multipart([
      {
        name: 'file',
        filename: 'spec.pdf',
        content: await createTextPdf(['Intro.', 'The minimum liner thickness shall be 6.0 mm.']),
        type: 'application/pdf',
      },
      { name: 'config', filename: 'q.json', content: JSON.stringify(config), type: 'application/json' },
      { name: 'engine', value: 'llm' },
    ]);
    const started = await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers });
    expect(started.statusCode).toBe(202);
    const id = (started.json() as { session_id: string }).session_id;
    await fake.waitForRequests(1, 30_000);
    const stream = followProgressRaw(`${address}/api/progress/${id}`, 60_000);
    await stream.firstEvent;

    const closing = t.close().then(() => (closed = true));
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still closing'), EXIT_BOUND_MS).unref()),
    ]);
    expect(outcome).toBe('closed');
    expect(await stream.ended).toEqual({ endedByServer: true });
    expect(stream.text()).toMatch(/: server shutting down; reconnect to resume/);
    const row = (
      await db().query<RunRow>(
        'SELECT status, lease_owner, failed_attempts, attempt FROM sessions WHERE session_id = $1',
        [id],
      )
    ).rows[0];
    expect(row).toMatchObject({ status: 'active', lease_owner: null, failed_attempts: 0, attempt: 1 });
  });
});
