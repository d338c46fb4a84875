/**
 * Re-run what is weak (POST /api/rerun/:id), through HTTP on both backends with generated PDFs: the original
 * run uses the extractive engine, passes use the llm engine against the fake model, so a question a pass
 * answered is recognisable ("Re-run: <id>"). A pass replaces only its questions' answers, keeps the old ones in
 * the history, continues the event log, changes the result's ETag, skips reviewed answers, can be stopped, and
 * refuses to start while the session runs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../helpers/test-app.js';
import {
  createPlantedAnswerHandler,
  startFakeLlmServer,
  type FakeHandler,
  type FakeLlmServer,
} from '../helpers/fake-llm-server.js';
import { HUNG_MS, STOPPED_WITHIN_MS, waitUntil } from '../helpers/bounded-wait.js';
import {
  createPlantedSpec,
  isStrictlyIncreasing,
  readSse,
  sectionOfRequest,
  type PlantedSpec,
} from '../durability/durability-harness.js';
import type { Database } from '../../src/db/database.js';

interface Question {
  question_id: string;
  answer: string | null;
  page_citations: number[];
  confidence: number;
  footnote: string | null;
  answer_status: string;
}
interface Event {
  event: string;
  index: number;
  pass?: number;
  question_ids?: string[];
  result?: { sections: Array<{ questions: Question[] }> };
  [key: string]: unknown;
}
interface HistoryEntry {
  question_id: string;
  pass: number;
  answer: string | null;
  current: boolean;
  superseded_by: number | null;
}

const questionsOf = (body: { result: { sections: Array<{ questions: Question[] }> } }): Map<string, Question> =>
  new Map(body.result.sections.flatMap((s) => s.questions).map((q) => [q.question_id, q]));

/** The fake model: each answer's text names its question (its quote is the planted sentence, so it verifies). */
function rerunHandler(spec: PlantedSpec, hold: { section: string | null; fail: boolean }): FakeHandler {
  const planted = createPlantedAnswerHandler(spec.planted);
  return async (request) => {
    if (hold.fail) return { status: 500, json: { error: { message: 'the model is down' } } };
    const reply = (await planted(request)) as { content: string };
    if (hold.section !== null && sectionOfRequest(request) === hold.section) return { ...reply, delayMs: HUNG_MS };
    const body = JSON.parse(reply.content) as { answers: Array<{ question_id: string; answer: string | null }> };
    for (const a of body.answers) if (a.answer !== null) a.answer = `Re-run: ${a.question_id}`;
    return { content: JSON.stringify(body) };
  };
}

async function readEvents(app: FastifyInstance, id: string, after = 0): Promise<Event[]> {
  const all: Event[] = [];
  let last = after;
  for (let page = 0; page < 100; page++) {
    const body = (await app.inject({ method: 'GET', url: `/api/events/${id}?last_index=${last}` })).json() as {
      events: Event[];
    };
    if (body.events.length === 0) return all;
    all.push(...body.events);
    last = body.events.at(-1)!.index;
  }
  throw new Error('too many events');
}

/**
 * Record a review: through the review API when this build has it, else the row it would write (the
 * answer_reviews table is shared with the review workspace; the re-run only reads it).
 */
async function review(
  app: FastifyInstance,
  db: Database,
  id: string,
  questionId: string,
  action: 'accept' | 'reject',
): Promise<void> {
  const r = await app.inject({ method: 'POST', url: `/api/review/${id}/${questionId}`, payload: { action } });
  if (r.statusCode === 200) return;
  expect(r.json()).toMatchObject({ code: 'NOT_FOUND' }); // no review route in this build
  await db.query('INSERT INTO answer_reviews (session_id, question_id, action, reviewer_id) VALUES ($1, $2, $3, $4)', [
    id,
    questionId,
    action,
    'local',
  ]);
}

const rerun = (app: FastifyInstance, id: string, payload: unknown): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'POST', url: `/api/rerun/${id}`, payload: payload as Record<string, unknown> });

describeEachDatabase('re-running questions as a new pass', ({ db }) => {
  let t: TestApp;
  let fake: FakeLlmServer;
  let spec: PlantedSpec;
  let id: string;
  let baseUrl: string;
  const hold = { section: null as string | null, fail: false };

  beforeAll(async () => {
    spec = await createPlantedSpec(3, 2);
    fake = await startFakeLlmServer({ handler: rerunHandler(spec, hold) });
    t = await createTestApp(db(), {
      LLM_BASE_URL: fake.url,
      LLM_API_KEY: 'test',
      LLM_MODEL: 'fake-model',
      LLM_CONCURRENCY: '2',
      LLM_TIMEOUT_MS: String(HUNG_MS),
      // A failing model fails a pass at once (no retries), for the failure test.
      LLM_MAX_RETRIES: '0',
      RUN_MAX_ATTEMPTS: '1',
    });
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' }); // for the progress stream (read as it arrives)
    const m = multipart([
      { name: 'file', filename: 'spec.pdf', content: spec.pdf, type: 'application/pdf' },
      { name: 'config', filename: 'q.json', content: JSON.stringify(spec.config), type: 'application/json' },
      { name: 'engine', value: 'extractive' },
    ]);
    const r = await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers });
    expect(r.statusCode).toBe(202);
    id = r.json().session_id as string;
    const done = await waitForTerminal(t.app, id);
    expect(done.status).toBe('completed');
    expect(fake.requests).toHaveLength(0);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('refuses unknown question ids and malformed bodies with 400 and a code, and queues nothing', async () => {
    const unknown = await rerun(t.app, id, { question_ids: ['S1Q1', 'NOPE'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ success: false, code: 'QUESTION_UNKNOWN', details: { unknown: ['NOPE'] } });
    for (const bad of [
      {},
      { question_ids: [] },
      { question_ids: 'S1Q1' },
      { question_ids: Array.from({ length: 1001 }, (_, i) => `Q${i}`) },
      { question_ids: ['S1Q1'], thorough: 'yes' },
    ]) {
      const r = await rerun(t.app, id, bad);
      expect(r.statusCode, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(r.json()).toMatchObject({ success: false, code: 'VALIDATION_FAILED' });
    }
    const engine = await rerun(t.app, id, { question_ids: ['S1Q1'], engine: 'gpt' });
    expect(engine.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await rerun(t.app, 'no-such-session', { question_ids: ['S1Q1'] })).statusCode).toBe(404);
    const now = (await t.app.inject({ method: 'GET', url: `/api/rerun/${id}` })).json();
    expect(now).toMatchObject({ current_pass: 1, status: 'completed' });
  });

  it('a pass over two questions replaces only their answers, keeps the old ones in the history, continues the events and changes the ETag', async () => {
    const before = await t.app.inject({ method: 'GET', url: `/api/results/${id}` });
    const etagBefore = before.headers.etag as string;
    const answersBefore = questionsOf(before.json());
    const lastIndexBefore = (await readEvents(t.app, id)).at(-1)!.index;

    const r = await rerun(t.app, id, { question_ids: ['S1Q1', 'S2Q2', 'S1Q1'], engine: 'llm' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      success: true,
      session_id: id,
      pass: 2,
      question_ids: ['S1Q1', 'S2Q2'],
      skipped: [],
      engine: 'llm',
    });
    const after = await waitForTerminal(t.app, id);
    expect(after.status).toBe('completed');
    expect(after.session).toMatchObject({ pass: 2, engine: 'llm', status: 'completed' });

    const answersAfter = questionsOf(after as never);
    expect(answersAfter.get('S1Q1')).toMatchObject({ answer: 'Re-run: S1Q1', answer_status: 'answered' });
    expect(answersAfter.get('S2Q2')).toMatchObject({ answer: 'Re-run: S2Q2', answer_status: 'answered' });
    expect(answersAfter.get('S1Q1')!.page_citations.length).toBeGreaterThan(0);
    for (const q of ['S1Q2', 'S2Q1', 'S3Q1', 'S3Q2']) expect(answersAfter.get(q), q).toEqual(answersBefore.get(q));
    // Only the two questions were asked: one call per section they are in.
    expect(fake.requests.map((req) => sectionOfRequest(req)).sort()).toEqual([
      'Durability Section 1',
      'Durability Section 2',
    ]);
    // The pass's tokens are added to the session's totals, and the counts are over all questions.
    const stats = (
      after as { statistics: { total_tokens: number; total_questions: number; questions_answered: number } }
    ).statistics;
    expect(stats.total_tokens).toBe(fake.totals.total_tokens);
    expect(stats.total_tokens).toBeGreaterThan(0);
    expect(stats.total_questions).toBe(6);
    expect(stats.questions_answered).toBe([...answersAfter.values()].filter((q) => q.answer !== null).length);

    // No stale result: a new ETag, and the old one no longer answers 304.
    const reread = await t.app.inject({
      method: 'GET',
      url: `/api/results/${id}`,
      headers: { 'if-none-match': etagBefore },
    });
    expect(reread.statusCode).toBe(200);
    expect(reread.headers.etag).not.toBe(etagBefore);

    // The event log goes on: indexes keep increasing, and the pass is named.
    const all = await readEvents(t.app, id);
    expect(isStrictlyIncreasing(all.map((e) => e.index))).toBe(true);
    const passEvents = all.filter((e) => e.index > lastIndexBefore);
    expect(passEvents[0]).toMatchObject({ event: 'pass_queued', pass: 2, question_ids: ['S1Q1', 'S2Q2'] });
    expect(passEvents.find((e) => e.event === 'analysis_started')).toMatchObject({
      pass: 2,
      question_ids: ['S1Q1', 'S2Q2'],
    });
    expect(passEvents.every((e) => e.pass === 2)).toBe(true);
    expect(passEvents.at(-1)).toMatchObject({ event: 'analysis_complete', pass: 2, total_questions: 6 });
    const ready = passEvents.filter((e) => e.event === 'results_ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]!.result!.sections.flatMap((s) => s.questions)).toHaveLength(6);

    // The history: which pass produced which answer.
    const history = (await t.app.inject({ method: 'GET', url: `/api/rerun/${id}` })).json() as {
      current_pass: number;
      passes: Array<{ pass: number; status: string; question_ids: string[] | null; engine: string }>;
      history: HistoryEntry[];
    };
    expect(history.current_pass).toBe(2);
    expect(history.passes).toMatchObject([
      { pass: 1, status: 'completed', question_ids: null, engine: 'extractive' },
      { pass: 2, status: 'completed', question_ids: ['S1Q1', 'S2Q2'], engine: 'llm' },
    ]);
    const s1q1 = history.history.filter((h) => h.question_id === 'S1Q1');
    expect(s1q1).toMatchObject([
      { pass: 1, answer: answersBefore.get('S1Q1')!.answer, current: false, superseded_by: 2 },
      { pass: 2, answer: 'Re-run: S1Q1', current: true, superseded_by: null },
    ]);
    expect(history.history.filter((h) => h.question_id === 'S1Q2')).toMatchObject([{ pass: 1, current: true }]);
  });

  it('skips a question whose answer a reviewer accepted and re-runs one a reviewer rejected', async () => {
    const before = questionsOf((await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json());
    await review(t.app, db(), id, 'S1Q2', 'accept');
    await review(t.app, db(), id, 'S3Q2', 'reject');

    const onlyReviewed = await rerun(t.app, id, { question_ids: ['S1Q2'], engine: 'llm' });
    expect(onlyReviewed.statusCode).toBe(409);
    expect(onlyReviewed.json()).toMatchObject({
      code: 'NOTHING_TO_RERUN',
      details: { skipped: [{ question_id: 'S1Q2', reason: 'accepted' }] },
    });

    const r = await rerun(t.app, id, { question_ids: ['S1Q2', 'S3Q2'], engine: 'llm' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      pass: 3,
      question_ids: ['S3Q2'],
      skipped: [{ question_id: 'S1Q2', reason: 'accepted' }],
    });
    expect((await waitForTerminal(t.app, id)).status).toBe('completed');
    const after = (await t.app.inject({ method: 'GET', url: `/api/rerun/${id}` })).json() as {
      history: HistoryEntry[];
    };
    // The accepted question's machine answer is untouched (still pass 1's); the rejected one was asked again.
    expect(after.history.filter((h) => h.question_id === 'S1Q2')).toMatchObject([
      { pass: 1, current: true, answer: before.get('S1Q2')!.answer },
    ]);
    expect(after.history.filter((h) => h.question_id === 'S3Q2').map((h) => [h.pass, h.current])).toEqual([
      [1, false],
      [3, true],
    ]);
    expect(after.history.find((h) => h.question_id === 'S3Q2' && h.current)!.answer).toBe('Re-run: S3Q2');
    // The pass's answer replaced what the reviewer rejected: it shows, unreviewed, and the history says why.
    const shown = questionsOf((await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json()) as Map<
      string,
      Question & { review: unknown }
    >;
    expect(shown.get('S3Q2')).toMatchObject({ answer: 'Re-run: S3Q2', answer_status: 'answered', review: null });
    const reviews = (await t.app.inject({ method: 'GET', url: `/api/review/${id}/S3Q2/history` })).json() as {
      history: Array<{ action: string; note: string | null }>;
    };
    expect(reviews.history.map((h) => h.action)).toEqual(['reject', 'reset']);
    expect(reviews.history[1]!.note).toMatch(/pass 3/);
    // The pass's results_ready (what the original front end reads) shows the reviews as /api/results does.
    const ready = (await readEvents(t.app, id)).filter((e) => e.event === 'results_ready').at(-1)!;
    const inEvent = new Map(ready.result!.sections.flatMap((s) => s.questions).map((q) => [q.question_id, q]));
    expect(inEvent.get('S1Q2')).toMatchObject({ review: { status: 'accepted' } });
    expect(inEvent.get('S3Q2')).toMatchObject({ answer: 'Re-run: S3Q2', review: null });
  });

  it('a pass can be stopped: the answers it found are kept, questions it never reached keep their earlier answers, and no second pass starts meanwhile', async () => {
    const before = questionsOf((await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json());
    const lastIndexBefore = (await readEvents(t.app, id)).at(-1)!.index;
    // The pass's section-3 unit waits on the model until it is stopped; its section-2 unit (asked at the same
    // time: LLM_CONCURRENCY=2) is answered and checkpointed.
    hold.section = 'Durability Section 3';
    const r = await rerun(t.app, id, { question_ids: ['S2Q1', 'S3Q1'], engine: 'llm' });
    expect(r.json()).toMatchObject({ pass: 4 });
    await waitUntil(
      async () =>
        (await readEvents(t.app, id, lastIndexBefore)).some((e) => e.event === 'window_complete' && e.pass === 4) &&
        fake.totals.inFlight > 0,
      STOPPED_WITHIN_MS,
      'the pass to checkpoint its first unit and wait on the second',
    );

    const again = await rerun(t.app, id, { question_ids: ['S1Q1'] });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ success: false, code: 'SESSION_RUNNING' });

    // A progress stream opened now, from the start: it reads past the earlier passes' analysis_complete (the
    // session is running again) and ends with this pass's stop.
    let streamed = 0;
    const stream = readSse(`${baseUrl}/api/progress/${id}?last_index=0`, () => void streamed++, STOPPED_WITHIN_MS);
    await waitUntil(() => streamed > lastIndexBefore, STOPPED_WITHIN_MS, 'the stream to deliver the events so far');
    const stop = await t.app.inject({ method: 'POST', url: `/api/stop/${id}` });
    expect(stop.json()).toMatchObject({ success: true, status: 'partial' });
    hold.section = null;

    const after = (await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json();
    expect(after).toMatchObject({ status: 'partial', partial: true });
    const answers = questionsOf(after);
    expect(answers.get('S2Q1')).toMatchObject({ answer: 'Re-run: S2Q1', answer_status: 'answered' });
    expect(answers.get('S3Q1')).toEqual(before.get('S3Q1'));
    for (const q of ['S1Q1', 'S1Q2', 'S2Q2', 'S3Q2']) expect(answers.get(q), q).toEqual(before.get(q));

    const { events: streamedEvents, endedByServer } = await stream;
    expect(endedByServer).toBe(true);
    const data = streamedEvents as unknown as Event[];
    expect(isStrictlyIncreasing(data.map((e) => e.index))).toBe(true);
    expect(data.filter((e) => e.event === 'analysis_complete').map((e) => e.pass ?? 1)).toEqual([1, 2, 3]);
    expect(data.at(-1)).toMatchObject({ event: 'analysis_stopped', pass: 4 });

    const history = (await t.app.inject({ method: 'GET', url: `/api/rerun/${id}` })).json() as {
      passes: Array<{ pass: number; status: string }>;
      history: HistoryEntry[];
    };
    expect(history.passes.map((p) => [p.pass, p.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
      [4, 'partial'],
    ]);
    expect(history.history.filter((h) => h.question_id === 'S3Q1').map((h) => h.pass)).not.toContain(4);

    // A stopped pass leaves the session finished: the next pass may start, and completes it again.
    const next = await rerun(t.app, id, { question_ids: ['S3Q1'], engine: 'llm' });
    expect(next.json()).toMatchObject({ pass: 5 });
    const done = await waitForTerminal(t.app, id);
    expect(done.status).toBe('completed');
    expect(questionsOf(done as never).get('S3Q1')).toMatchObject({ answer: 'Re-run: S3Q1' });
  });

  it('a pass that fails ends the session failed with every earlier answer kept, and the next pass may start', async () => {
    const before = questionsOf((await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json());
    hold.fail = true;
    const r = await rerun(t.app, id, { question_ids: ['S1Q1', 'S2Q1'], engine: 'llm' });
    expect(r.json()).toMatchObject({ pass: 6 });
    const failed = await waitForTerminal(t.app, id);
    hold.fail = false;
    expect(failed.status).toBe('failed');
    expect(questionsOf(failed as never)).toEqual(before);
    const events = await readEvents(t.app, id);
    expect(events.at(-1)).toMatchObject({ event: 'analysis_failed', pass: 6 });
    const passes = (await t.app.inject({ method: 'GET', url: `/api/rerun/${id}` })).json().passes as Array<{
      pass: number;
      status: string;
    }>;
    expect(passes.at(-1)).toMatchObject({ pass: 6, status: 'failed' });

    const next = await rerun(t.app, id, { question_ids: ['S2Q1'], engine: 'extractive' });
    expect(next.json()).toMatchObject({ pass: 7, engine: 'extractive' });
    expect((await waitForTerminal(t.app, id)).status).toBe('completed');
  });
  it('a pass may reword the questions it re-runs (a config edit): it asks the new wording, results show it, the event keeps the old', async () => {
    const config = (await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json().result as {
      sections: Array<{ questions: Array<{ question_id: string; question: string }> }>;
    };
    const old = config.sections.flatMap((s) => s.questions).find((q) => q.question_id === 'S2Q2')!.question;
    const wording = `${old} (as stated in the specification, with units)`;

    const notRerun = await rerun(t.app, id, {
      question_ids: ['S2Q2'],
      engine: 'llm',
      questions: [{ id: 'S1Q1', text: 'Reworded' }],
    });
    expect(notRerun.statusCode).toBe(400);
    expect(notRerun.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { not_rerun: ['S1Q1'] } });
    expect(
      (await rerun(t.app, id, { question_ids: ['S2Q2'], questions: [{ id: 'S2Q2', text: '   ' }] })).json(),
    ).toMatchObject({ code: 'VALIDATION_FAILED' });

    const asked = fake.requests.length;
    const r = await rerun(t.app, id, {
      question_ids: ['S2Q2'],
      engine: 'llm',
      questions: [{ id: 'S2Q2', text: wording }],
    });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      question_ids: ['S2Q2'],
      edited: [{ question_id: 'S2Q2', before: old, after: wording }],
    });
    const done = await waitForTerminal(t.app, id);
    expect(done.status).toBe('completed');
    const shown = (done as unknown as { result: typeof config }).result.sections
      .flatMap((s) => s.questions)
      .find((q) => q.question_id === 'S2Q2')!;
    expect(shown.question).toBe(wording);
    expect(questionsOf(done as never).get('S2Q2')).toMatchObject({ answer: 'Re-run: S2Q2' });
    // The model was asked the new wording.
    const prompts = fake.requests.slice(asked).map((req) => JSON.stringify(req.body));
    expect(prompts.some((p) => p.includes(wording))).toBe(true);
    const queued = (await readEvents(t.app, id)).filter((e) => e.event === 'pass_queued').at(-1)!;
    expect(queued.edited).toEqual([{ question_id: 'S2Q2', before: old, after: wording }]);
  });
});
