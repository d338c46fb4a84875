/**
 * The original front end (analyzer_rebuild.html and admin_sessions.html of the old system) against this server,
 * signed in with the login cookie as a browser is: each call made the way those pages make it, and every field
 * they read asserted (name and type), so the pages work unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/accounts.js';
import { isSessionIdShape } from '../../src/db/session-ids.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, type TestApp } from '../helpers/test-app.js';

const ORIGIN = 'http://localhost:80';
// Bound on waiting for a run of a 4-page PDF on the offline engine (finishes in a few seconds).
const RUN_TIMEOUT_MS = 60_000;
// The old page polls every second; a shorter interval keeps the test quick without changing what is asserted.
const POLL_INTERVAL_MS = 100;

const SPEC_PAGES = [
  'SECTION 01 11 00 SUMMARY OF WORK\nThe project is the Example Creek Sewer Rehabilitation in Springfield, Illinois.\nThe work includes 12,500 linear feet of 8-inch sanitary sewer.',
  'SECTION 33 01 30.72 CURED-IN-PLACE PIPE LINING\nThe liner shall conform to ASTM F1216.\nThe minimum liner thickness shall be 6.0 mm.\nThe resin shall be a polyester resin system.',
  'SECTION 00 21 13 INSTRUCTIONS TO BIDDERS\nA bid bond of 5 percent of the bid amount is required.\nLiquidated damages shall be $500 per calendar day.',
  'SECTION 01 78 00 CLOSEOUT\nThe contractor shall warrant the work for a period of two years.',
];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describeEachDatabase('the original front end against this server', ({ db }) => {
  let t: TestApp;
  let pdf: Uint8Array;
  const cookies: Record<string, string> = {};
  // A same-origin browser request: the login cookie, and Origin on state changes (as fetch() sends it).
  const browser = (who: string) => ({
    cookies: { sa_session: cookies[who]! },
    headers: { origin: ORIGIN, host: 'localhost:80' },
  });
  const get = (who: string, url: string) => t.app.inject({ method: 'GET', url, ...browser(who) });
  const postJson = (who: string, url: string, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(body),
      cookies: browser(who).cookies,
      headers: { ...browser(who).headers, 'content-type': 'application/json' },
    });
  const upload = (who: string) => {
    const m = multipart([{ name: 'file', filename: 'Example Creek spec.pdf', content: pdf, type: 'application/pdf' }]);
    return t.app.inject({
      method: 'POST',
      url: '/api/upload',
      payload: m.payload,
      cookies: browser(who).cookies,
      headers: { ...m.headers, ...browser(who).headers },
    });
  };
  const countSessions = async () =>
    (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n;

  /** The old page's polling loop: GET /api/events/:id?last_index=N until the terminal event (bounded). */
  async function pollUntilDone(who: string, id: string): Promise<Json[]> {
    const events: Json[] = [];
    let lastIndex = 0;
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      const r = await get(who, `/api/events/${id}?last_index=${lastIndex}`);
      const data = r.json() as Json;
      expect(data.success).toBe(true);
      expect(Array.isArray(data.events)).toBe(true);
      expect(typeof data.last_index).toBe('number');
      events.push(...(data.events as Json[]));
      lastIndex = data.last_index as number;
      if (events.some((e) => ['analysis_complete', 'analysis_stopped', 'analysis_failed'].includes(e.event as string)))
        return events;
      if (Date.now() > deadline) throw new Error(`no terminal event for ${id} after ${RUN_TIMEOUT_MS} ms`);
      await new Promise((res) => setTimeout(res, POLL_INTERVAL_MS));
    }
  }

  beforeAll(async () => {
    t = await createTestApp(db(), { AUTH: 'on' });
    pdf = await createTextPdf(SPEC_PAGES);
    for (const [name, role] of [
      ['alice', 'user'],
      ['bob', 'user'],
      ['boss', 'admin'],
    ] as const) {
      await createUser(db(), { email: `${name}@example.com`, password: `${name}-password-1`, role });
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/authenticate',
        payload: { email: `${name}@example.com`, password: `${name}-password-1` },
        headers: { origin: ORIGIN, host: 'localhost:80' },
      });
      cookies[name] = /sa_session=([^;]+)/.exec(String(r.headers['set-cookie']))?.[1] ?? '';
      expect(cookies[name]).not.toBe('');
    }
  });
  afterAll(async () => t?.close());

  let config: Json;
  const alias = `session_${Date.now()}`;
  let ourId = '';
  let events: Json[] = [];

  describe('analyzer_rebuild.html', () => {
    it('loads the question config with sections, questions (id, text) and config.totalQuestions', async () => {
      const data = (await get('alice', '/api/config/questions')).json() as Json;
      expect(data.success).toBe(true);
      config = data.config as Json;
      const sections = config.sections as Json[];
      expect(sections.length).toBeGreaterThan(1);
      for (const s of sections) {
        expect(typeof s.section_id).toBe('string');
        expect(typeof s.section_name).toBe('string');
        for (const q of s.questions as Json[]) expect([typeof q.id, typeof q.text]).toEqual(['string', 'string']);
      }
      expect(config.totalQuestions).toBe(sections.reduce((n, s) => n + (s.questions as unknown[]).length, 0));
    });

    it('polls by its own session id before starting, and is told (success: false) that it does not exist yet', async () => {
      const r = await get('alice', `/api/events/${alias}?last_index=0`);
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ success: false, code: 'SESSION_NOT_FOUND' });
    });

    let filepath = '';
    let filename = '';
    it('uploads the PDF (multipart "file") and gets {success, filepath, filename}', async () => {
      const r = await upload('alice');
      expect(r.statusCode).toBeGreaterThanOrEqual(200);
      expect(r.statusCode).toBeLessThan(300); // the page checks resp.ok
      const data = r.json() as Json;
      expect(data.success).toBe(true);
      expect(typeof data.filepath).toBe('string');
      expect(data.filepath).not.toBe('');
      expect(data.filename).toBe('Example Creek spec.pdf');
      filepath = data.filepath as string;
      filename = data.filename as string;
    });

    it('starts the analysis with JSON {session_id, pdf_path, pdf_filename, context_guardrails, enabled_sections}', async () => {
      const enabled = (config.sections as Json[]).slice(0, 2).map((s) => s.section_id);
      const r = await postJson('alice', '/api/analyze', {
        session_id: alias,
        pdf_path: filepath,
        pdf_filename: filename,
        context_guardrails: 'Only CIPP lining.',
        enabled_sections: enabled,
      });
      expect(r.statusCode).toBeGreaterThanOrEqual(200);
      expect(r.statusCode).toBeLessThan(300);
      const data = r.json() as Json;
      expect(data).toMatchObject({ success: true, client_session_id: alias });
      expect(isSessionIdShape(data.session_id as string)).toBe(true);
      expect(data.session_id).not.toBe(alias); // our own ids stay unguessable
      ourId = data.session_id as string;
      const stored = await db().query<{ enabled_sections: string[]; guardrails: string; pdf_filename: string }>(
        'SELECT enabled_sections, guardrails, pdf_filename FROM sessions WHERE session_id = $1',
        [ourId],
      );
      expect(stored.rows[0]).toEqual({
        enabled_sections: enabled,
        guardrails: 'Only CIPP lining.',
        pdf_filename: 'Example Creek spec.pdf',
      });
    });

    it('polls events by its own id until analysis_complete, reading every field it logs', async () => {
      events = await pollUntilDone('alice', alias);
      const first = (name: string) => events.find((e) => e.event === name) as Json;
      expect(first('analysis_started').document).toBe('Example Creek spec.pdf');
      const ingested = first('document_ingested');
      expect([typeof ingested.total_pages, typeof ingested.window_count, typeof ingested.window_size]).toEqual([
        'number',
        'number',
        'number',
      ]);
      expect(ingested.total_pages).toBe(4);
      expect(ingested.window_size).toBeGreaterThanOrEqual(1);
      const loaded = first('config_loaded');
      expect(loaded).toMatchObject({ total_questions: 20, section_count: 2 });
      expect(loaded.sections).toEqual((config.sections as Json[]).slice(0, 2).map((s) => s.section_name));
      const processing = first('window_processing');
      expect([typeof processing.window_num, typeof processing.total_windows]).toEqual(['number', 'number']);
      expect(processing.pages).toBeDefined();
      const windows = events.filter((e) => e.event === 'window_complete');
      expect(windows.length).toBeGreaterThan(0);
      for (const w of windows) {
        expect(typeof w.window_num).toBe('number');
        expect(typeof w.answers_found).toBe('number');
        expect(typeof w.processing_time).toBe('number'); // the page calls .toFixed(1)
        expect(typeof w.tokens_used).toBe('number');
        expect(w.answers_found).toBe((w.new_answers as unknown[]).length);
        for (const a of w.new_answers as Json[]) {
          expect(typeof a.question_id).toBe('string');
          expect(typeof a.answer_text).toBe('string');
          expect(Array.isArray(a.pages)).toBe(true);
          expect(a).toHaveProperty('footnote');
        }
      }
      expect(windows.flatMap((w) => w.new_answers as Json[]).length).toBeGreaterThan(0);
      // results_ready carries the legacy result, before analysis_complete with its statistics.
      const names = events.map((e) => e.event);
      expect(names.indexOf('results_ready')).toBeGreaterThan(-1);
      expect(names.indexOf('results_ready')).toBeLessThan(names.indexOf('analysis_complete'));
      const result = first('results_ready').result as Json;
      expect((result.sections as Json[]).length).toBe(2);
      for (const s of result.sections as Json[]) {
        expect(typeof s.section_name).toBe('string');
        for (const q of s.questions as Json[]) {
          expect(typeof q.question_id).toBe('string');
          expect(typeof q.question).toBe('string');
          expect(Array.isArray(q.page_citations)).toBe(true);
          expect(q).toHaveProperty('answer');
          expect(q).toHaveProperty('footnote');
        }
      }
      const stats = first('analysis_complete').statistics as Json;
      expect(typeof stats.questions_answered).toBe('number');
      expect(typeof stats.processing_time).toBe('number');
      expect(stats.estimated_cost).toMatch(/^\$\d+\.\d{4}$/);
      expect(stats.questions_answered).toBe(result.questions_answered);
    });

    it('reads the results by its own id: {success, result, partial, statistics}', async () => {
      const data = (await get('alice', `/api/results/${alias}`)).json() as Json;
      expect(data).toMatchObject({ success: true, partial: false, status: 'completed' });
      expect((data.result.sections as Json[]).length).toBe(2);
      expect(typeof data.statistics.questions_answered).toBe('number');
      expect(data.statistics.total_questions).toBe(20);
      expect(typeof data.statistics.processing_time).toBe('number');
      const byOurId = (await get('alice', `/api/results/${ourId}`)).json() as Json;
      expect(byOurId.result).toEqual(data.result);
    });

    it('stops and exports by its own id too', async () => {
      const stop = await t.app.inject({ method: 'POST', url: `/api/stop/${alias}`, ...browser('alice') });
      expect(stop.json()).toMatchObject({ success: true }); // idempotent on a finished run
      const json = await get('alice', `/api/export/${alias}?format=json`);
      expect(json.statusCode).toBe(200);
      expect(json.headers['content-type']).toMatch(/json/);
      const xlsx = await get('alice', `/api/export/excel-dashboard/${alias}`);
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
      // The SSE stream (the page's earlier EventSource version) by the same id: every event, ending after the terminal
      // one.
      const sse = await get('alice', `/api/progress/${alias}`);
      expect(sse.headers['content-type']).toMatch(/text\/event-stream/);
      const streamed = sse.body
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => (JSON.parse(l.slice(6)) as Json).event);
      expect(streamed).toEqual(events.map((e) => e.event));
    });

    it('stops a running analysis by its own id and then reads the partial (or finished) result', async () => {
      const second = `session_${Date.now() + 1}`;
      const up = (await upload('alice')).json() as Json;
      const start = await postJson('alice', '/api/analyze', {
        session_id: second,
        pdf_path: up.filepath,
        pdf_filename: up.filename,
      });
      expect(start.statusCode).toBe(202);
      const stop = await t.app.inject({ method: 'POST', url: `/api/stop/${second}`, ...browser('alice') });
      expect(stop.json().success).toBe(true);
      const done = await pollUntilDone('alice', second);
      expect(['analysis_stopped', 'analysis_complete']).toContain(done.at(-1)!.event);
      const data = (await get('alice', `/api/results/${second}`)).json() as Json;
      expect(data.success).toBe(true);
      expect(Array.isArray(data.result.sections)).toBe(true);
      expect(data.partial).toBe(data.status === 'partial');
    });

    it("keeps a client id private to its owner: another user's request by it answers like a missing session", async () => {
      for (const url of [
        `/api/events/${alias}?last_index=0`,
        `/api/results/${alias}`,
        `/api/export/${alias}?format=json`,
        `/api/progress/${alias}`,
      ]) {
        const r = await get('bob', url);
        expect(r.statusCode, url).toBe(404);
        expect(r.json().code).toBe('SESSION_NOT_FOUND');
      }
      const stop = await t.app.inject({ method: 'POST', url: `/api/stop/${alias}`, ...browser('bob') });
      expect(stop.statusCode).toBe(404);
    });

    it('lets another user choose the same client id for their own analysis, and resolves it to theirs', async () => {
      const up = (await upload('bob')).json() as Json;
      const r = await postJson('bob', '/api/analyze', {
        session_id: alias,
        pdf_path: up.filepath,
        pdf_filename: up.filename,
      });
      expect(r.statusCode).toBe(202);
      const bobsId = r.json().session_id as string;
      expect(bobsId).not.toBe(ourId);
      await pollUntilDone('bob', alias);
      expect((await get('bob', `/api/results/${alias}`)).json().session.session_id).toBe(bobsId);
      expect((await get('alice', `/api/results/${alias}`)).json().session.session_id).toBe(ourId);
    });

    it('refuses a client id its owner already used (409 SESSION_ALIAS_TAKEN) and stores nothing', async () => {
      const before = await countSessions();
      const up = (await upload('alice')).json() as Json;
      const r = await postJson('alice', '/api/analyze', {
        session_id: alias,
        pdf_path: up.filepath,
        pdf_filename: up.filename,
      });
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ success: false, code: 'SESSION_ALIAS_TAKEN' });
      expect(await countSessions()).toBe(before);
    });

    it('refuses a malformed client id and an unknown pdf_path with clear codes', async () => {
      const up = (await upload('alice')).json() as Json;
      const bad = await postJson('alice', '/api/analyze', {
        session_id: 'has spaces/and slashes',
        pdf_path: up.filepath,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('VALIDATION_FAILED');
      const unknown = await postJson('alice', '/api/analyze', {
        session_id: 'session_x',
        pdf_path: 'db:documents/AAAAAAAAAAAAAAAAAAAAAAAA',
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('DOCUMENT_NOT_FOUND');
      // Another user's upload is not usable either.
      const bobs = (await upload('bob')).json() as Json;
      const foreign = await postJson('alice', '/api/analyze', { pdf_path: bobs.filepath });
      expect(foreign.json().code).toBe('DOCUMENT_NOT_FOUND');
    });

    it('records the plan columns for the run: storage references, the owner email and the mean confidence', async () => {
      const r = await db().query<{
        pdf_path: string;
        config_path: string;
        user_email: string;
        average_confidence: string;
      }>('SELECT pdf_path, config_path, user_email, average_confidence FROM sessions WHERE session_id = $1', [ourId]);
      const row = r.rows[0]!;
      expect(row).toMatchObject({
        pdf_path: `db:session_documents/${ourId}`,
        config_path: `db:sessions/${ourId}/question_config`,
        user_email: 'alice@example.com',
      });
      const stats = (await get('alice', `/api/results/${ourId}`)).json().statistics as Json;
      expect(`${Math.round(Number(row.average_confidence) * 100)}%`).toBe(stats.average_confidence);
    });
  });

  describe('admin_sessions.html', () => {
    it('lists sessions in the old grouped shape with the summary counts and every field the page shows', async () => {
      const r = await get('boss', '/api/admin/sessions');
      expect(r.statusCode).toBe(200);
      const data = r.json() as Json;
      expect(data.success).toBe(true);
      const total = await countSessions();
      const statusCount = async (...st: string[]) =>
        (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE status = ANY($1)', [st]))
          .rows[0]!.n;
      expect(data.summary).toEqual({
        total_sessions: total,
        active_count: await statusCount('queued', 'active'),
        completed_count: await statusCount('completed'),
        partial_count: await statusCount('partial'),
        failed_count: await statusCount('failed'),
      });
      for (const group of ['active', 'completed', 'partial', 'failed'])
        expect(Array.isArray(data.sessions[group]), group).toBe(true);
      const all = ['active', 'completed', 'partial', 'failed'].flatMap((g) => data.sessions[g] as Json[]);
      expect(all).toHaveLength(total);
      const mine = (data.sessions.completed as Json[]).find((s) => s.session_id === ourId) as Json;
      expect(mine).toMatchObject({
        status: 'completed',
        pdf_filename: 'Example Creek spec.pdf',
        pdf_path: `db:session_documents/${ourId}`,
        total_questions: 20,
        total_pages: 4,
        stopped_at: null,
      });
      for (const field of ['questions_answered', 'total_pages', 'total_tokens', 'processing_time', 'estimated_cost'])
        expect(typeof mine[field], field).toBe('number');
      for (const field of ['created_at', 'completed_at'])
        expect(Number.isNaN(Date.parse(mine[field] as string)), field).toBe(false);
      for (const s of data.sessions.partial as Json[])
        expect(Number.isNaN(Date.parse(s.stopped_at as string))).toBe(false);
    });

    it('opens an analysis (View) and downloads its Excel Report Package by the listed session_id', async () => {
      const data = (await get('boss', `/api/results/${ourId}`)).json() as Json;
      expect(data.success).toBe(true);
      expect((data.result.sections as Json[]).length).toBe(2);
      expect(typeof data.statistics.processing_time).toBe('number');
      expect(typeof data.statistics.estimated_cost).toBe('string');
      const xlsx = await get('boss', `/api/export/excel-dashboard/${ourId}`);
      expect(xlsx.statusCode).toBe(200);
    });

    it('is for administrators only', async () => {
      const r = await get('alice', '/api/admin/sessions');
      expect(r.statusCode).toBe(403);
      expect(r.json().success).toBe(false);
    });
  });
});
