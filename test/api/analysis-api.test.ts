import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../helpers/test-app.js';
import { makeQuestionConfig } from '../helpers/factories.js';

const SPEC_PAGES = [
  'CITY OF EXAMPLE\nSanitary Sewer Rehabilitation Contract No. 2024-17\nInvitation to Bid.',
  'Bids are due on July 15, 2024 at 2:00 PM local time at City Hall.\nA bid bond of 5% of the bid amount is required.',
  'The CIPP liner shall be installed in accordance with ASTM F1216.\nThe minimum liner thickness shall be 6.0 mm.',
  'Liquidated damages shall be $1,500 per calendar day.\nThe warranty period is two (2) years from final acceptance.',
];

const CONFIG = {
  config_name: 'API test config',
  version: '1',
  description: 'small',
  sections: [
    {
      section_id: 'bidding',
      section_name: 'Bidding',
      description: 'Bid dates and bonds',
      questions: [
        { id: 'B1', text: 'When are bids due?', required: true, expected_type: 'date' },
        { id: 'B2', text: 'What bid bond is required?', required: true, expected_type: 'string' },
      ],
    },
    {
      section_id: 'technical',
      section_name: 'Technical',
      description: 'Liner requirements',
      questions: [
        { id: 'T1', text: 'What is the minimum liner thickness?', required: true, expected_type: 'number' },
        {
          id: 'T2',
          text: 'What ASTM standard applies to the CIPP liner installation?',
          required: true,
          expected_type: 'technical_spec',
        },
        {
          id: 'T3',
          text: 'What resin manufacturer is specified for the glass fiber reinforcement?',
          required: false,
          expected_type: 'string',
        },
      ],
    },
  ],
};

describeEachDatabase('analysis API', ({ db }) => {
  let t: TestApp;
  let pdf: Uint8Array;
  beforeAll(async () => {
    t = await createTestApp(db());
    pdf = await createTextPdf(SPEC_PAGES);
  });
  afterAll(async () => t?.close());

  const analyze = (parts: Parameters<typeof multipart>[0]) => {
    const m = multipart(parts);
    return t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers });
  };
  const countSessions = async () =>
    (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n;

  describe('a full run', () => {
    let id: string;
    it('accepts a PDF with a config and answers 202 with the session id once stored', async () => {
      const r = await analyze([
        { name: 'file', filename: 'Example <b>Spec</b>.pdf', content: pdf, type: 'application/pdf' },
        { name: 'config', filename: 'q.json', content: JSON.stringify(CONFIG), type: 'application/json' },
        { name: 'guardrails', value: 'We bid only on 8-24 inch mains.' },
      ]);
      expect(r.statusCode).toBe(202);
      const body = r.json();
      expect(body).toMatchObject({ success: true, status: 'queued' });
      expect(body.session_id).toMatch(/^[A-Za-z0-9_-]{24}$/);
      id = body.session_id;
      const stored = await db().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM session_document_chunks WHERE session_id = $1',
        [id],
      );
      expect(stored.rows[0]!.n).toBeGreaterThan(0);
    });

    it('completes and serves the legacy result with statistics, pages and quotes', async () => {
      const body = await waitForTerminal(t.app, id);
      expect(body).toMatchObject({ success: true, status: 'completed', partial: false });
      const result = body.result as {
        sections: Array<{
          questions: Array<{
            question_id: string;
            answer: string | null;
            page_citations: number[];
            footnote: string | null;
            confidence: number;
          }>;
        }>;
        document_name: string;
        total_questions: number;
        total_pages: number;
      };
      expect(result.document_name).toBe('Example <b>Spec</b>.pdf');
      expect(result.total_questions).toBe(5);
      expect(result.total_pages).toBe(4);
      const q = Object.fromEntries(result.sections.flatMap((s) => s.questions).map((x) => [x.question_id, x]));
      expect(q.B1!.page_citations).toEqual([2]);
      expect(q.B1!.answer).toMatch(/July 15, 2024/);
      expect(q.T1!.page_citations).toEqual([3]);
      expect(q.T1!.footnote).toMatch(/6\.0 mm/);
      expect(q.T3!.answer).toBeNull();
      const stats = body.statistics as Record<string, unknown>;
      expect(stats.estimated_cost).toBe('$0.0000');
      expect(stats.average_confidence).toMatch(/^\d{1,3}%$/);
      expect(stats.total_questions).toBe(5);
      expect(Number(stats.questions_answered)).toBeGreaterThanOrEqual(3);
    });

    it('serves the events in order after an index, ending with analysis_complete', async () => {
      const all = (await t.app.inject({ method: 'GET', url: `/api/events/${id}?last_index=0` })).json();
      expect(all.status).toBe('completed');
      const names = all.events.map((e: { event: string }) => e.event);
      expect(names[0]).toBe('analysis_started');
      expect(names).toContain('document_ingested');
      expect(names).toContain('config_loaded');
      expect(names).toContain('window_complete');
      expect(names.at(-1)).toBe('analysis_complete');
      expect(all.events.map((e: { index: number }) => e.index)).toEqual(
        all.events.map((_: unknown, i: number) => i + 1),
      );
      expect(all.last_index).toBe(all.events.length);
      const after = (
        await t.app.inject({ method: 'GET', url: `/api/events/${id}?last_index=${all.events.length - 1}` })
      ).json();
      expect(after.events.map((e: { event: string }) => e.event)).toEqual(['analysis_complete']);
    });

    it('streams the same events over SSE with id lines, resuming from Last-Event-ID, and ends after the terminal event', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/api/progress/${id}`, headers: { 'last-event-id': '2' } });
      expect(r.headers['content-type']).toMatch(/text\/event-stream/);
      expect(r.headers['x-content-type-options']).toBe('nosniff'); // security headers reach the hijacked stream too
      const ids = [...r.body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(ids[0]).toBe(3);
      const datas = [...r.body.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
      expect(datas.at(-1).event).toBe('analysis_complete');
    });

    it('answers 304 to a matching If-None-Match on a finished result', async () => {
      const first = await t.app.inject({ method: 'GET', url: `/api/results/${id}` });
      const etag = first.headers.etag as string;
      expect(etag).toBeTruthy();
      const second = await t.app.inject({
        method: 'GET',
        url: `/api/results/${id}`,
        headers: { 'if-none-match': etag },
      });
      expect(second.statusCode).toBe(304);
    });

    it('says so when asked to stop a finished run', async () => {
      const r = await t.app.inject({ method: 'POST', url: `/api/stop/${id}` });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ success: true, status: 'completed', already_finished: true });
    });

    it('exports every format for the finished run', async () => {
      for (const format of ['xlsx', 'csv', 'json', 'md', 'docx']) {
        const r = await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=${format}` });
        expect(r.statusCode, format).toBe(200);
        expect(r.headers['content-disposition']).toMatch(/^attachment; filename="Example[^"/<>]*"; filename\*=UTF-8/);
        expect(r.headers['content-disposition']).not.toMatch(/PARTIAL/);
        expect(r.rawPayload.length).toBeGreaterThan(100);
      }
      const xl = await t.app.inject({ method: 'GET', url: `/api/export/excel-dashboard/${id}` });
      expect(xl.headers['content-type']).toMatch(/spreadsheetml/);
      const bad = await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=exe` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('EXPORT_FORMAT_INVALID');
    });

    it('serves the stored PDF inline', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/api/document/${id}` });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/pdf');
      expect(Buffer.compare(r.rawPayload, Buffer.from(pdf))).toBe(0);
    });

    it('lists the session in the admin list and detail', async () => {
      const list = (await t.app.inject({ method: 'GET', url: '/api/admin/analyses?q=example' })).json();
      expect(list.total).toBeGreaterThanOrEqual(1);
      expect(list.sessions.map((s: { session_id: string }) => s.session_id)).toContain(id);
      const detail = (await t.app.inject({ method: 'GET', url: `/api/admin/analysis/${id}` })).json();
      expect(detail.session).toMatchObject({ session_id: id, status: 'completed' });
      expect(detail.events.length).toBeGreaterThan(3);
      const stats = (await t.app.inject({ method: 'GET', url: '/api/admin/stats' })).json();
      expect(stats.totals.completed).toBeGreaterThanOrEqual(1);
      expect(stats.per_day.at(-1).analyses).toBeGreaterThanOrEqual(1);
      const old = (await t.app.inject({ method: 'GET', url: '/api/admin/sessions' })).json();
      expect(old.completed_sessions.map((s: { session_id: string }) => s.session_id)).toContain(id);
    });
  });

  describe('bad input is refused before anything is stored', () => {
    const cases: Array<[string, () => Parameters<typeof multipart>[0], number, string]> = [
      ['no file', () => [{ name: 'guardrails', value: 'x' }], 400, 'FILE_REQUIRED'],
      [
        'a zero-byte file',
        () => [{ name: 'file', filename: 'empty.pdf', content: new Uint8Array(0) }],
        422,
        'PDF_INVALID',
      ],
      [
        'an HTML file renamed .pdf',
        () => [{ name: 'file', filename: 'page.pdf', content: '<html><body>hello</body></html>' }],
        422,
        'PDF_INVALID',
      ],
      [
        'random bytes',
        () => [{ name: 'file', filename: 'r.pdf', content: new Uint8Array(4096).map((_, i) => (i * 7919) % 256) }],
        422,
        'PDF_INVALID',
      ],
      [
        'a config that is not JSON',
        () => [
          { name: 'file', filename: 'a.pdf', content: pdf },
          { name: 'config', filename: 'c.json', content: '{nope' },
        ],
        422,
        'CONFIG_INVALID',
      ],
      [
        'an unknown section',
        () => [
          { name: 'file', filename: 'a.pdf', content: pdf },
          { name: 'sections', value: '["nope"]' },
        ],
        422,
        'SECTIONS_INVALID',
      ],
      [
        'an empty section selection',
        () => [
          { name: 'file', filename: 'a.pdf', content: pdf },
          { name: 'sections', value: '[]' },
        ],
        422,
        'SECTIONS_INVALID',
      ],
      [
        'the llm engine without a key',
        () => [
          { name: 'file', filename: 'a.pdf', content: pdf },
          { name: 'engine', value: 'llm' },
        ],
        422,
        'LLM_NOT_CONFIGURED',
      ],
      [
        'an unknown engine',
        () => [
          { name: 'file', filename: 'a.pdf', content: pdf },
          { name: 'engine', value: 'gpt-magic' },
        ],
        400,
        'VALIDATION_FAILED',
      ],
    ];
    for (const [name, parts, status, code] of cases) {
      it(`answers ${status} ${code} for ${name}`, async () => {
        const before = await countSessions();
        const r = await analyze(parts());
        expect(r.statusCode).toBe(status);
        expect(r.json()).toMatchObject({ success: false, code });
        expect(typeof r.json().error).toBe('string');
        expect(await countSessions()).toBe(before);
      });
    }

    for (const [name, contentType, body] of [
      ['a multipart body without its boundary', 'multipart/form-data', '--x\r\n'],
      [
        'a truncated multipart body',
        'multipart/form-data; boundary=b',
        '--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 trunc',
      ],
    ] as const) {
      it(`answers 400 VALIDATION_FAILED for ${name}`, async () => {
        const before = await countSessions();
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/analyze',
          payload: body,
          headers: { 'content-type': contentType },
        });
        expect(r.statusCode).toBe(400);
        expect(r.json()).toMatchObject({ success: false, code: 'VALIDATION_FAILED' });
        expect(r.json().error).toMatch(/multipart/);
        expect(await countSessions()).toBe(before);
      });
    }

    it('reports every config problem with its JSON path', async () => {
      const bad = makeQuestionConfig(1, 2) as unknown as {
        sections: Array<{ questions: Array<Record<string, unknown>> }>;
      };
      bad.sections[0]!.questions[0]!.expected_type = 'numbr';
      bad.sections[0]!.questions[1]!.id = bad.sections[0]!.questions[0]!.id;
      const r = await t.app.inject({ method: 'POST', url: '/api/config/validate', payload: { config: bad } });
      expect(r.statusCode).toBe(422);
      const paths = r.json().details.problems.map((p: { path: string }) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining(['sections[0].questions[0].expected_type', 'sections[0].questions[1].id']),
      );
    });
  });

  describe('unknown sessions', () => {
    for (const [method, url] of [
      ['GET', '/api/results/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/events/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/progress/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['POST', '/api/stop/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/export/AAAAAAAAAAAAAAAAAAAAAAAA?format=csv'],
      ['GET', '/api/document/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', "/api/results/'%20OR%201=1--"],
    ] as const) {
      it(`answers 404 SESSION_NOT_FOUND for ${method} ${url}`, async () => {
        const r = await t.app.inject({ method, url });
        expect(r.statusCode).toBe(404);
        expect(r.json()).toMatchObject({ success: false, code: 'SESSION_NOT_FOUND' });
      });
    }
  });

  describe('service endpoints', () => {
    it('serves the default config, the engines, an OpenAPI document, metrics and readiness', async () => {
      const cfg = (await t.app.inject({ method: 'GET', url: '/api/config/questions' })).json();
      expect(cfg.config.sections).toHaveLength(10);
      const engines = (await t.app.inject({ method: 'GET', url: '/api/engines' })).json();
      expect(engines.engines.map((e: { name: string }) => e.name)).toEqual(['extractive', 'llm']);
      const openapi = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining([
          '/api/analyze',
          '/api/results/{id}',
          '/api/progress/{id}',
          '/api/export/{id}',
          '/api/admin/analyses',
        ]),
      );
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/spec_analyzer_runs\{status="completed"\}/);
      expect(metrics.body).toMatch(/spec_analyzer_http_request_duration_seconds_bucket/);
      // this suite parsed PDFs, no warm pool
      expect(metrics.body).toMatch(/spec_analyzer_parse_worker_starts_total\{kind="cold"\} [1-9]/);
      expect(metrics.body).toMatch(/spec_analyzer_parse_workers_ready 0/);
      expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    });
  });
});

describeEachDatabase('runs without a worker', ({ db }) => {
  let t: TestApp;
  let pdf: Uint8Array;
  beforeAll(async () => {
    t = await createTestApp(db(), { WORKER_ENABLED: 'false', MAX_UPLOAD_MB: '1' });
    pdf = await createTextPdf(SPEC_PAGES);
  });
  afterAll(async () => t?.close());

  it('shows a queued session with every question unanswered, and stops it into partial idempotently', async () => {
    const m = multipart([
      { name: 'file', filename: 'q.pdf', content: pdf },
      { name: 'sections', value: '["general_info"]' },
    ]);
    const r = await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers });
    const id = r.json().session_id as string;
    const queued = (await t.app.inject({ method: 'GET', url: `/api/results/${id}` })).json();
    expect(queued).toMatchObject({ success: true, status: 'queued', partial: true });
    expect(queued.result.total_questions).toBe(10);
    expect(queued.result.sections[0].questions.every((q: { answer: unknown }) => q.answer === null)).toBe(true);
    const partialCsv = await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=csv` });
    expect(partialCsv.statusCode).toBe(200);
    expect(partialCsv.headers['content-disposition']).toMatch(/PARTIAL/);

    // Nobody runs it (no worker here): the stop finalises the queued session itself, so it answers partial.
    const stop = await t.app.inject({ method: 'POST', url: `/api/stop/${id}` });
    expect(stop.json()).toMatchObject({ success: true, status: 'partial', already_finished: false });
    const again = await t.app.inject({ method: 'POST', url: `/api/stop/${id}` });
    expect(again.json()).toMatchObject({ success: true, status: 'partial', already_finished: true });
    const events = (await t.app.inject({ method: 'GET', url: `/api/events/${id}` })).json();
    expect(events.events.map((e: { event: string }) => e.event)).toEqual(['analysis_stopped']);
  });

  it('refuses an upload over MAX_UPLOAD_MB with 413 UPLOAD_TOO_LARGE while streaming', async () => {
    const big = new Uint8Array(1.5 * 1024 * 1024);
    big.set(Buffer.from('%PDF-1.7\n'));
    const m = multipart([{ name: 'file', filename: 'big.pdf', content: big }]);
    const r = await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers });
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe('UPLOAD_TOO_LARGE');
  });

  it('fails a run whose stored PDF is gone, with its reason, and still serves and exports it', async () => {
    const m = multipart([{ name: 'file', filename: 'gone.pdf', content: pdf }]);
    const id = (
      await t.app.inject({ method: 'POST', url: '/api/analyze', payload: m.payload, headers: m.headers })
    ).json().session_id as string;
    await db().query('UPDATE session_documents SET pages = NULL WHERE session_id = $1', [id]);
    await db().query('DELETE FROM session_document_chunks WHERE session_id = $1', [id]);
    const { RunWorker } = await import('../../src/jobs/run-worker.js');
    const worker = new RunWorker({ ctx: t.ctx, createEngine: t.ctx.createEngine, log: t.app.log });
    worker.start();
    try {
      const body = await waitForTerminal(t.app, id);
      expect(body.status).toBe('failed');
      expect((body.session as { error: string }).error).toMatch(/no longer stored/);
      const events = (await t.app.inject({ method: 'GET', url: `/api/events/${id}` })).json();
      expect(events.events.at(-1)).toMatchObject({ event: 'analysis_failed', error_type: 'PDF_NOT_AVAILABLE' });
      const md = await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=md` });
      expect(md.statusCode).toBe(200);
      expect(md.body).toMatch(/PARTIAL/);
      const doc = await t.app.inject({ method: 'GET', url: `/api/document/${id}` });
      expect(doc.statusCode).toBe(410);
      expect(doc.json().code).toBe('PDF_NOT_AVAILABLE');
    } finally {
      await worker.stop();
    }
  });
});
