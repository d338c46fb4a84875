/**
 * Reviewing answers through HTTP, signed in, on both databases: a real analysis of a generated PDF, then
 * accept / edit / reject / reset, the history, conflicts, visibility, CSRF, result versions (also as seen by a
 * second app instance, like a second server process) and the exports.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createUser } from '../../src/auth/accounts.js';
import type { QuestionConfig } from '../../src/questions/types.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { makeAnswer, makeSessionInput } from '../helpers/factories.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../helpers/test-app.js';
import { createSession } from '../../src/db/queries/create-session.js';
import { storeAnswers } from '../../src/db/queries/answers.js';
import { updateSessionStatus } from '../../src/db/queries/sessions.js';

// A change made by another instance must be seen within this (notifications take ~15 ms; generous for CI).
const SEEN_WITHIN_MS = 20_000;
const SAME_ORIGIN = { origin: 'http://localhost:80', host: 'localhost:80' };

const CONFIG = {
  config_name: 'Review config',
  version: '1',
  description: 'four questions',
  sections: [
    {
      section_id: 'bidding',
      section_name: 'Bidding',
      description: 'Bid dates and bonds',
      questions: [
        { id: 'B1', text: 'When are bids due?', required: true, expected_type: 'date' },
        { id: 'B2', text: 'What is the bid bond amount?', required: true, expected_type: 'string' },
      ],
    },
    {
      section_id: 'technical',
      section_name: 'Technical',
      description: 'Liner requirements',
      questions: [
        { id: 'T1', text: 'What is the minimum liner thickness?', required: true, expected_type: 'string' },
        { id: 'T2', text: 'What resin type is required?', required: true, expected_type: 'string' },
      ],
    },
  ],
} as QuestionConfig;

const PAGES = [
  'Bids are due on July 15, 2024 at 2:00 PM local time.',
  'The minimum liner thickness shall be 6.0 mm for all pipe segments.',
  'The resin shall be a vinyl ester resin suitable for sewer service.',
];

type Question = {
  question_id: string;
  answer: string | null;
  page_citations: number[];
  footnote: string | null;
  confidence: number;
  answer_status: string;
  review: null | {
    status: string;
    by: string | null;
    at: string;
    note: string | null;
    review_id: number;
    verified: boolean | null;
  };
  machine_answer?: { answer: string | null; page_citations: number[]; confidence: number; footnote: string | null };
};

describeEachDatabase('reviewing answers', ({ db, kind, url }) => {
  let a: TestApp;
  let b: TestApp;
  let otherDb: Database | null = null;
  let sessionId: string;
  const users: Record<'owner' | 'other' | 'admin', { email: string; token: string; id: string }> = {} as never;

  beforeAll(async () => {
    // One instance with a worker runs the analysis and closes; the two that serve the tests have none, so the
    // "running session" below stays queued.
    const runner = await createTestApp(db(), { AUTH: 'on' });
    for (const [name, role] of [
      ['owner', 'user'],
      ['other', 'user'],
      ['admin', 'admin'],
    ] as const) {
      const email = `${name}-${kind}@example.com`;
      const password = `password-of-${name}-1`;
      const { user } = await createUser(db(), { email, password, role });
      const r = await runner.app.inject({
        method: 'POST',
        url: '/api/authenticate',
        payload: { email, password, return_token: true },
        headers: SAME_ORIGIN,
      });
      expect(r.statusCode).toBe(200);
      users[name] = { email, token: r.json().token as string, id: user.id };
    }
    const pdf = await createTextPdf(PAGES);
    const m = multipart([
      { name: 'file', filename: 'review-spec.pdf', content: pdf, type: 'application/pdf' },
      { name: 'config', filename: 'q.json', content: JSON.stringify(CONFIG), type: 'application/json' },
    ]);
    const started = await runner.app.inject({
      method: 'POST',
      url: '/api/analyze',
      payload: m.payload,
      headers: { ...m.headers, authorization: `Bearer ${users.owner.token}` },
    });
    expect(started.statusCode).toBe(202);
    sessionId = started.json().session_id as string;
    const done = await waitForTerminal(runner.app, sessionId, 120_000, {
      authorization: `Bearer ${users.owner.token}`,
    });
    expect(done.status).toBe('completed');
    await runner.close();

    a = await createTestApp(db(), { AUTH: 'on', WORKER_ENABLED: 'false' });
    otherDb =
      kind === 'postgres'
        ? createPgDatabase({ url: url()!, directUrl: null, poolMax: 3, statementTimeoutMs: 30_000, ssl: 'auto' })
        : null;
    b = await createTestApp(otherDb ?? db(), { AUTH: 'on', WORKER_ENABLED: 'false' });
  }, 180_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await otherDb?.close();
  });

  const bearer = (who: keyof typeof users) => ({ authorization: `Bearer ${users[who].token}` });
  const review = (
    who: keyof typeof users,
    questionId: string,
    payload: Record<string, unknown>,
    id = sessionId,
    t = a,
  ) => t.app.inject({ method: 'POST', url: `/api/review/${id}/${questionId}`, payload, headers: bearer(who) });
  const history = (who: keyof typeof users, questionId: string, id = sessionId) =>
    a.app.inject({ method: 'GET', url: `/api/review/${id}/${questionId}/history`, headers: bearer(who) });
  const results = async (t = a, who: keyof typeof users = 'owner') => {
    const r = await t.app.inject({ method: 'GET', url: `/api/results/${sessionId}`, headers: bearer(who) });
    expect(r.statusCode).toBe(200);
    return r;
  };
  const questionIn = (body: { result: { sections: Array<{ questions: Question[] }> } }, id: string): Question =>
    body.result.sections.flatMap((s) => s.questions).find((q) => q.question_id === id)!;

  it('leaves a never-reviewed result unchanged: every review null, no machine_answer, 0 of 4 reviewed', async () => {
    const body = (await results()).json();
    const questions = body.result.sections.flatMap((s: { questions: Question[] }) => s.questions) as Question[];
    expect(questions.map((q) => q.question_id)).toEqual(['B1', 'B2', 'T1', 'T2']);
    for (const q of questions) {
      expect(q.review).toBeNull();
      expect(q).not.toHaveProperty('machine_answer');
    }
    expect(body.result.review_summary).toEqual({ reviewed: 0, total: 4 });
    expect(questionIn(body, 'T1').answer).toMatch(/6\.0 mm/);
    expect(questionIn(body, 'T1').page_citations).toEqual([2]);
  });

  it('accepts, edits, rejects and resets an answer, keeping the machine answer and the history in order', async () => {
    const before = (await results()).json();
    const machine = questionIn(before, 'T1');
    expect(machine.answer).not.toBeNull();

    const accepted = await review('owner', 'T1', { action: 'accept', note: 'checked on p. 2' });
    expect(accepted.statusCode).toBe(200);
    const acc = accepted.json().question as Question;
    expect(acc.review).toMatchObject({
      status: 'accepted',
      by: users.owner.email,
      note: 'checked on p. 2',
      verified: null,
    });
    expect(acc.answer).toBe(machine.answer);
    expect(acc).not.toHaveProperty('machine_answer');

    const edited = await review('owner', 'T1', {
      action: 'edit',
      answer: 'minimum liner thickness shall be 6.0 mm',
      pages: [2],
    });
    expect(edited.statusCode).toBe(200);
    const ed = edited.json().question as Question;
    expect(ed).toMatchObject({
      answer: 'minimum liner thickness shall be 6.0 mm',
      page_citations: [2],
      answer_status: 'answered',
    });
    expect(ed.review).toMatchObject({ status: 'edited', by: users.owner.email, verified: true });
    expect(ed.footnote).toBe('"minimum liner thickness shall be 6.0 mm" (p. 2)');
    expect(ed.machine_answer).toEqual({
      answer: machine.answer,
      page_citations: machine.page_citations,
      confidence: machine.confidence,
      footnote: machine.footnote,
    });
    // The question in the reply is exactly the one results show.
    expect(questionIn((await results()).json(), 'T1')).toEqual(ed);

    const rejected = (await review('owner', 'T1', { action: 'reject', note: 'not in the document' })).json()
      .question as Question;
    expect(rejected).toMatchObject({ answer: null, page_citations: [], footnote: null, answer_status: 'not_found' });
    expect(rejected.review).toMatchObject({ status: 'rejected', note: 'not in the document' });
    expect(rejected.machine_answer?.answer).toBe(machine.answer);
    const afterReject = (await results()).json();
    expect(afterReject.result.questions_answered).toBe(questionsAnswered(afterReject));
    expect(afterReject.statistics.questions_answered).toBe(questionsAnswered(afterReject));
    expect(questionsAnswered(afterReject)).toBe(questionsAnswered(before) - 1);

    const reset = (await review('owner', 'T1', { action: 'reset' })).json().question as Question;
    expect(reset.review).toBeNull();
    expect(reset).not.toHaveProperty('machine_answer');
    expect(reset.answer).toBe(machine.answer);

    const h = await history('owner', 'T1');
    expect(h.statusCode).toBe(200);
    const entries = h.json().history as Array<Record<string, unknown>>;
    expect(entries.map((e) => e.action)).toEqual(['accept', 'edit', 'reject', 'reset']);
    expect(entries[1]).toMatchObject({
      answer: 'minimum liner thickness shall be 6.0 mm',
      pages: [2],
      verified: true,
      by: users.owner.email,
    });
    // An accept records what was accepted.
    expect(entries[0]).toMatchObject({
      note: 'checked on p. 2',
      answer: machine.answer,
      pages: machine.page_citations,
      verified: null,
    });
    const ids = entries.map((e) => e.review_id as number);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    for (const e of entries) expect(Date.parse(e.at as string)).not.toBeNaN();
  });

  it('marks an edit whose text is not on its pages as unverified', async () => {
    const r = await review('owner', 'T2', { action: 'edit', answer: 'Polyester resin is required', pages: [3] });
    expect(r.statusCode).toBe(200);
    const q = r.json().question as Question;
    expect(q.review).toMatchObject({ status: 'edited', verified: false });
    expect(q.answer).toBe('Polyester resin is required');
    expect(q.footnote).toBeNull();
    expect(questionIn((await results()).json(), 'T2').review?.verified).toBe(false);
    expect((await history('owner', 'T2')).json().history.at(-1)).toMatchObject({ action: 'edit', verified: false });
    await review('owner', 'T2', { action: 'reset' });
  });

  it('refuses bad reviews with stable codes', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ action: 'approve' }, 400, 'VALIDATION_FAILED'],
      [{}, 400, 'VALIDATION_FAILED'],
      [{ action: 'edit' }, 400, 'VALIDATION_FAILED'],
      [{ action: 'edit', answer: 'x', pages: [0] }, 400, 'VALIDATION_FAILED'],
      [{ action: 'edit', answer: 'six mm', pages: [4] }, 400, 'VALIDATION_FAILED'],
      [{ action: 'edit', answer: 'six mm', pages: ['2'] }, 400, 'VALIDATION_FAILED'],
      [{ action: 'accept', answer: 'x' }, 400, 'VALIDATION_FAILED'],
      [{ action: 'accept', extra: 1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [payload, status, code] of cases) {
      const r = await review('owner', 'B1', payload);
      expect({ payload, status: r.statusCode, code: r.json().code }).toEqual({ payload, status, code });
    }
    const unknown = await review('owner', 'NOPE', { action: 'accept' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('QUESTION_NOT_FOUND');
    expect((await history('owner', 'NOPE')).json().code).toBe('QUESTION_NOT_FOUND');
    expect((await history('owner', 'B1')).json().history).toEqual([]);
  });

  it('refuses a review based on a stale review id with 409 REVIEW_CONFLICT and the current question', async () => {
    const first = await review('owner', 'B2', { action: 'accept', base_review_id: null });
    expect(first.statusCode).toBe(200);
    const seen = (first.json().question as Question).review!.review_id;

    const stale = await review('admin', 'B2', { action: 'reject', base_review_id: null });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ success: false, code: 'REVIEW_CONFLICT' });
    expect((stale.json().question as Question).review).toMatchObject({ status: 'accepted', review_id: seen });

    const fresh = await review('admin', 'B2', { action: 'reject', base_review_id: seen });
    expect(fresh.statusCode).toBe(200);
    expect(await review('owner', 'B2', { action: 'reset', base_review_id: seen }).then((r) => r.statusCode)).toBe(409);
    expect((await history('owner', 'B2')).json().history.map((e: { action: string }) => e.action)).toEqual([
      'accept',
      'reject',
    ]);
    await review('owner', 'B2', { action: 'reset' });
  });

  it('keeps both of two concurrent edits in the history; the later one is current', async () => {
    const [x, y] = await Promise.all([
      review('owner', 'B1', { action: 'edit', answer: 'July 15, 2024', pages: [1] }),
      review('admin', 'B1', { action: 'edit', answer: 'July 15, 2024 at 2:00 PM', pages: [1] }, sessionId, b),
    ]);
    expect([x.statusCode, y.statusCode]).toEqual([200, 200]);
    const entries = (await history('owner', 'B1')).json().history as Array<{
      answer: string;
      by: string;
      review_id: number;
    }>;
    expect(entries.map((e) => e.answer).sort()).toEqual(['July 15, 2024', 'July 15, 2024 at 2:00 PM']);
    const last = entries.at(-1)!;
    const current = questionIn((await results()).json(), 'B1');
    expect(current.answer).toBe(last.answer);
    expect(current.review).toMatchObject({ review_id: last.review_id, by: last.by, verified: true });
  });

  it("answers another user's review and history like a missing session, and lets an admin review", async () => {
    const r = await review('other', 'T1', { action: 'accept' });
    expect([r.statusCode, r.json().code]).toEqual([404, 'SESSION_NOT_FOUND']);
    expect((await history('other', 'T1')).statusCode).toBe(404);
    const byAdmin = await review('admin', 'T1', { action: 'accept', note: 'admin check' });
    expect(byAdmin.statusCode).toBe(200);
    expect((byAdmin.json().question as Question).review).toMatchObject({ status: 'accepted', by: users.admin.email });
    expect((await history('admin', 'T1')).statusCode).toBe(200);
  });

  it('refuses a cookie-authenticated review from another origin and accepts one from this origin', async () => {
    const cross = await a.app.inject({
      method: 'POST',
      url: `/api/review/${sessionId}/T1`,
      payload: { action: 'reject' },
      cookies: { sa_session: users.owner.token },
      headers: { origin: 'https://evil.example', host: 'localhost:80' },
    });
    expect([cross.statusCode, cross.json().code]).toEqual([403, 'CSRF_REJECTED']);
    const noOrigin = await a.app.inject({
      method: 'POST',
      url: `/api/review/${sessionId}/T1`,
      payload: { action: 'reject' },
      cookies: { sa_session: users.owner.token },
    });
    expect(noOrigin.statusCode).toBe(403);
    expect(questionIn((await results()).json(), 'T1').review?.status).not.toBe('rejected');
    const same = await a.app.inject({
      method: 'POST',
      url: `/api/review/${sessionId}/T1`,
      payload: { action: 'accept' },
      cookies: { sa_session: users.owner.token },
      headers: SAME_ORIGIN,
    });
    expect(same.statusCode).toBe(200);
  });

  it('changes the ETag with every review, here and in another instance that had the old result in memory', async () => {
    const before = await results(a);
    const beforeOnB = await results(b);
    expect(beforeOnB.headers.etag).toBe(before.headers.etag);
    expect(
      (
        await a.app.inject({
          method: 'GET',
          url: `/api/results/${sessionId}`,
          headers: { ...bearer('owner'), 'if-none-match': before.headers.etag as string },
        })
      ).statusCode,
    ).toBe(304);

    expect((await review('owner', 'T2', { action: 'reject', note: 'etag check' })).statusCode).toBe(200);
    const after = await results(a);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(questionIn(after.json(), 'T2').review?.note).toBe('etag check');
    const conditional = await a.app.inject({
      method: 'GET',
      url: `/api/results/${sessionId}`,
      headers: { ...bearer('owner'), 'if-none-match': before.headers.etag as string },
    });
    expect(conditional.statusCode).toBe(200);

    const started = Date.now();
    for (;;) {
      const r = await results(b);
      if (r.headers.etag === after.headers.etag) {
        expect(questionIn(r.json(), 'T2').review?.note).toBe('etag check');
        break;
      }
      if (Date.now() - started > SEEN_WITHIN_MS) throw new Error('the other instance kept serving the old result');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // A review made on the other instance is seen here too.
    expect((await review('owner', 'T2', { action: 'reset' }, sessionId, b)).statusCode).toBe(200);
    const waitFrom = Date.now();
    while (questionIn((await results(a)).json(), 'T2').review !== null) {
      if (Date.now() - waitFrom > SEEN_WITHIN_MS) throw new Error('this instance kept serving the old result');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it('shows the reviewed answers in the admin detail and the exports, with the reviewer', async () => {
    await review('owner', 'T1', {
      action: 'edit',
      answer: 'liner thickness shall be 6.0 mm',
      pages: [2],
      note: 'trimmed',
    });
    const detail = await a.app.inject({
      method: 'GET',
      url: `/api/admin/analysis/${sessionId}`,
      headers: bearer('admin'),
    });
    expect(detail.statusCode).toBe(200);
    expect(questionIn(detail.json(), 'T1')).toMatchObject({
      answer: 'liner thickness shall be 6.0 mm',
      review: { status: 'edited', by: users.owner.email },
    });

    const json = (
      await a.app.inject({ method: 'GET', url: `/api/export/${sessionId}?format=json`, headers: bearer('owner') })
    ).json();
    const t1 = json.result.sections
      .flatMap((s: { answers: Array<Record<string, unknown>> }) => s.answers)
      .find((x: { question_id: string }) => x.question_id === 'T1');
    expect(t1).toMatchObject({
      answer: 'liner thickness shall be 6.0 mm',
      review: { status: 'edited', by: users.owner.email },
    });
    expect((t1.machine_answer as { answer: string }).answer).toMatch(/6\.0 mm/);

    const csv = await a.app.inject({
      method: 'GET',
      url: `/api/export/${sessionId}?format=csv`,
      headers: bearer('owner'),
    });
    const rows = parse(csv.rawPayload, { bom: true, columns: true, record_delimiter: '\r\n' }) as Array<
      Record<string, string>
    >;
    expect(rows.find((row) => row.question_id === 'T1')).toMatchObject({
      answer: 'liner thickness shall be 6.0 mm',
      review_status: 'Edited',
      reviewed_by: users.owner.email,
    });

    const xlsx = await a.app.inject({
      method: 'GET',
      url: `/api/export/${sessionId}?format=xlsx`,
      headers: bearer('owner'),
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ExcelJS.Buffer);
    const details = workbook.getWorksheet('Detailed Results')!;
    let t1Row: ExcelJS.Row | undefined;
    details.eachRow((row) => {
      if (row.getCell(3).value === 'T1') t1Row = row;
    });
    expect(t1Row?.getCell(5).value).toBe('liner thickness shall be 6.0 mm');
    expect([t1Row?.getCell(10).value, t1Row?.getCell(11).value, t1Row?.getCell(13).value]).toEqual([
      'Edited',
      users.owner.email,
      'trimmed',
    ]);

    const md = (
      await a.app.inject({ method: 'GET', url: `/api/export/${sessionId}?format=md`, headers: bearer('owner') })
    ).body;
    expect(md).toMatch(
      new RegExp(
        `\\| T1 \\|[^\\n]*liner thickness shall be 6\\.0 mm[^\\n]*✎ Edited by ${users.owner.email.replace(/[.]/g, '\\.')}`,
      ),
    );
    const docx = await a.app.inject({
      method: 'GET',
      url: `/api/export/${sessionId}?format=docx`,
      headers: bearer('owner'),
    });
    const documentXml = await (await JSZip.loadAsync(docx.rawPayload)).file('word/document.xml')!.async('string');
    expect(documentXml).toContain(`✎ Edited by ${users.owner.email}`);
  });

  it('lets answered questions of a running analysis be reviewed, and refuses ones it has not reached', async () => {
    const s = await createSession(a.ctx.db, makeSessionInput({ ownerId: users.owner.id }));
    await storeAnswers(a.ctx.db, s.id, [makeAnswer('S1Q1')]);
    const who = 'owner';
    const ok = await review(who, 'S1Q1', { action: 'accept' }, s.id);
    expect(ok.statusCode).toBe(200);
    expect((ok.json().question as Question).review?.status).toBe('accepted');
    const notReached = await review(who, 'S1Q2', { action: 'accept' }, s.id);
    expect([notReached.statusCode, notReached.json().code]).toEqual([409, 'SESSION_RUNNING']);

    // The run then finds a better answer and keeps the accepted one as a variant: the accepted answer stays shown.
    const accepted = makeAnswer('S1Q1');
    await storeAnswers(a.ctx.db, s.id, [
      makeAnswer('S1Q1', {
        answer: 'A later find',
        pages: [7],
        footnote: '"a later find" (p. 7)',
        variants: [
          {
            answer: accepted.answer!,
            pages: accepted.pages,
            confidence: 0.6,
            footnote: accepted.footnote,
            quotes: accepted.quotes,
          },
        ],
      }),
    ]);
    const shown = questionIn(
      (await a.app.inject({ method: 'GET', url: `/api/results/${s.id}`, headers: bearer('owner') })).json(),
      'S1Q1',
    );
    expect(shown).toMatchObject({
      answer: accepted.answer,
      page_citations: accepted.pages,
      footnote: accepted.footnote,
      review: { status: 'accepted' },
    });
    expect(shown.machine_answer).toMatchObject({ answer: 'A later find', page_citations: [7] });
  });

  it('keeps an edited answer when the reviewer then accepts it', async () => {
    await review('owner', 'T2', { action: 'edit', answer: 'vinyl ester resin', pages: [3] });
    const edited = (await review('owner', 'T2', { action: 'reset' })).json().question as Question;
    expect(edited.review).toBeNull();
    const again = (await review('owner', 'T2', { action: 'edit', answer: 'vinyl ester resin', pages: [3] })).json()
      .question as Question;
    const q = (await review('owner', 'T2', { action: 'accept', expected_answer: 'vinyl ester resin' })).json()
      .question as Question;
    // The accepted edit shows as the edit did (its confidence, footnote and whether it was found on its pages).
    expect(q).toMatchObject({
      answer: 'vinyl ester resin',
      page_citations: [3],
      confidence: again.confidence,
      footnote: again.footnote,
      review: { status: 'accepted', verified: again.review!.verified },
    });
    expect(q.machine_answer).toBeDefined();
    await review('owner', 'T2', { action: 'reset' });
  });

  it("refuses an accept of another answer than the one the reviewer saw (409); an accept over a rejection accepts the engine's answer", async () => {
    const shown = (await review('owner', 'T2', { action: 'reset' })).json().question as Question;
    const stale = await review('owner', 'T2', { action: 'accept', expected_answer: `${shown.answer ?? ''} (older)` });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'REVIEW_CONFLICT', question: { question_id: 'T2', review: null } });
    await review('owner', 'T2', { action: 'reject' });
    const afterReject = await review('owner', 'T2', { action: 'accept' });
    expect(afterReject.statusCode).toBe(200);
    expect(afterReject.json().question).toMatchObject({
      answer: shown.answer,
      page_citations: shown.page_citations,
      review: { status: 'accepted' },
    });
    await review('owner', 'T2', { action: 'reset' });
  });

  it("removes a session's reviews with the session (the only way a review row goes)", async () => {
    const s = await createSession(a.ctx.db, makeSessionInput({ ownerId: users.owner.id }));
    await updateSessionStatus(a.ctx.db, s.id, 'completed', {});
    expect((await review('owner', 'S1Q1', { action: 'reject' }, s.id)).statusCode).toBe(200);
    const count = async () =>
      Number(
        (await db().query<{ n: string }>('SELECT count(*) AS n FROM answer_reviews WHERE session_id = $1', [s.id]))
          .rows[0]!.n,
      );
    expect(await count()).toBe(1);
    expect(
      (
        await a.app.inject({
          method: 'DELETE',
          url: `/api/admin/analysis/${s.id}`,
          headers: { ...bearer('admin'), ...SAME_ORIGIN },
        })
      ).statusCode,
    ).toBe(200);
    expect(await count()).toBe(0);
  });
});

function questionsAnswered(body: { result: { sections: Array<{ questions: Question[] }> } }): number {
  return body.result.sections.flatMap((s) => s.questions).filter((q) => q.answer !== null).length;
}
