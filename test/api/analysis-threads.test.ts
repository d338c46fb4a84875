/**
 * Through the real app: a run whose analysis thread dies mid-run is retried and completes (one failed
 * attempt, nothing lost), and /metrics exports the event-loop delay and the analysis threads.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analysisWorkerPool } from '../../src/analysis-worker/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../helpers/test-app.js';
import { createScenarioPages } from '../analysis/spec-scenario.js';

// Polling for the run's thread: often enough to catch it while it works (a run of the default 100 questions
// takes many checkpoint round trips), bounded so a broken pool fails the test instead of hanging it.
const POLL_MS = 1;
const FIND_THREAD_TIMEOUT_MS = 60_000;

describeEachDatabase('analysis threads through the app', ({ db }) => {
  let t: TestApp;
  let pdf: Uint8Array;
  beforeAll(async () => {
    t = await createTestApp(db());
    // The scenario spec three times over: long enough that the run is still working when its thread is ended.
    const texts = createScenarioPages().map((p) => p.text);
    pdf = await createTextPdf([...texts, ...texts, ...texts]);
  }, 120_000);
  afterAll(async () => t?.close());

  it('retries a run whose analysis thread died and completes it, counting one failed attempt', async () => {
    const m = multipart([
      { name: 'file', filename: 'spec.pdf', content: pdf, type: 'application/pdf' },
      { name: 'engine', value: 'extractive' },
    ]);
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/analyze',
      payload: m.payload,
      headers: m.headers,
    });
    expect(accepted.statusCode).toBe(202);
    const id = accepted.json().session_id as string;

    const deadline = Date.now() + FIND_THREAD_TIMEOUT_MS;
    let killed = 0;
    while (killed === 0 && Date.now() < deadline) {
      const busy = analysisWorkerPool.busyWorkers('run');
      if (busy.length > 0) {
        await Promise.all(busy.map((w) => w.terminate()));
        killed = busy.length;
      } else {
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    expect(killed).toBe(1);

    const body = await waitForTerminal(t.app, id, 90_000);
    expect(body.status).toBe('completed');
    const row = (
      await db().query<{ failed_attempts: number; attempt: number }>(
        'SELECT failed_attempts, attempt FROM sessions WHERE session_id = $1',
        [id],
      )
    ).rows[0]!;
    expect(row.failed_attempts).toBe(1);
    expect(row.attempt).toBe(2);
    const result = body.result as { questions_answered: number; total_questions: number };
    expect(result.total_questions).toBe(100);
    expect(result.questions_answered).toBeGreaterThan(3);
  }, 180_000);

  it('exports the event-loop delay and the analysis threads on /metrics', async () => {
    const deadline = Date.now() + 10_000;
    let text = '';
    for (;;) {
      text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      if (/spec_analyzer_event_loop_delay_samples_total [1-9]/.test(text) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const q of ['0.5', '0.9', '0.99', '1']) {
      expect(text).toMatch(new RegExp(`spec_analyzer_event_loop_delay_seconds\\{quantile="${q}"\\} \\d`));
    }
    expect(text).toMatch(/spec_analyzer_event_loop_delay_samples_total [1-9]/);
    expect(text).toMatch(/spec_analyzer_analysis_threads\{state="busy"\} \d/);
    expect(text).toMatch(/spec_analyzer_analysis_thread_crashes_total [1-9]/); // the previous test ended one
  });
});
