/**
 * The LLM engine reports retries and unusable replies through the run's logger — the log lines carry the
 * run's sessionId — instead of nowhere. Real app, real run worker, the fake LLM server, pino output captured.
 */
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { createTextPdf } from '../../helpers/pdf-factory.js';
import { describeEachDatabase } from '../../helpers/databases.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../../helpers/test-app.js';
import { makeQuestionConfig } from '../../helpers/factories.js';
import { createPlantedAnswerHandler, startFakeLlmServer, type FakeLlmServer } from '../../helpers/fake-llm-server.js';

interface LogLine {
  level: number;
  msg: string;
  sessionId?: string;
  [key: string]: unknown;
}

function captureLogs(): { stream: Writable; lines: LogLine[] } {
  const lines: LogLine[] = [];
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  return { stream, lines };
}

describeEachDatabase('LLM engine logging', ({ db }) => {
  let t: TestApp | null = null;
  let fake: FakeLlmServer | null = null;
  afterEach(async () => {
    await t?.close();
    await fake?.close();
    t = null;
    fake = null;
  });

  it('logs a retried call and an unusable reply with the run’s sessionId', async () => {
    const config = makeQuestionConfig(1, 1);
    config.sections[0]!.questions[0]!.text = 'What is the minimum liner thickness?';
    const sentence = 'The minimum liner thickness shall be 6.0 mm.';
    fake = await startFakeLlmServer({ handler: createPlantedAnswerHandler({ S1Q1: sentence }) });
    // First a server error (retried after 10 ms), then a reply that is not the JSON asked for (corrected once).
    fake.enqueue(
      { status: 503, json: { error: { message: 'overloaded' } }, headers: { 'retry-after-ms': '10' } },
      { content: 'Sure! The thickness is 6 mm.' },
    );
    const logs = captureLogs();
    t = await createTestApp(
      db(),
      { LLM_BASE_URL: fake.url, LLM_API_KEY: 'test', LLM_MODEL: 'fake-model', LOG_LEVEL: 'info' },
      { logStream: logs.stream },
    );

    const pdf = await createTextPdf(['Introduction to the sewer works.', sentence]);
    const m = multipart([
      { name: 'file', filename: 'spec.pdf', content: pdf, type: 'application/pdf' },
      { name: 'config', filename: 'q.json', content: JSON.stringify(config), type: 'application/json' },
      { name: 'engine', value: 'llm' },
    ]);
    const started = await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers });
    expect(started.statusCode).toBe(202);
    const id = (started.json() as { session_id: string }).session_id;
    const done = await waitForTerminal(t.app, id);
    expect(done.status).toBe('completed');
    expect(fake.requests).toHaveLength(3);

    const retry = logs.lines.find((l) => /llm call failed .*retrying/.test(l.msg));
    expect(retry, JSON.stringify(logs.lines.map((l) => l.msg))).toBeDefined();
    expect(retry).toMatchObject({ level: 40, sessionId: id, status: 503 });
    const unusable = logs.lines.find((l) => /llm reply unusable/.test(l.msg));
    expect(unusable).toMatchObject({ level: 40, sessionId: id });
  });
});
