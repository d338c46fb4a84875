import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, waitForTerminal, type TestApp } from '../helpers/test-app.js';
import { createEncryptedPdf, createFlateBombPdf, createTextPdf } from '../helpers/pdf-factory.js';
import { createUser } from '../../src/auth/accounts.js';
import { runMaintenance } from '../../src/jobs/maintenance.js';
import { parseWorkerPool } from '../../src/ingest/parse-worker-pool.js';
import { parseGate } from '../../src/ingest/parse-gate.js';
import { registry } from '../../src/metrics.js';
import { documentPagesCacheStats } from '../../src/sessions/document-pages-cache.js';

const ORIGIN = 'http://localhost:80';
const PAGES = [
  'Bids are due on July 15, 2024 at 2:00 PM local time at City Hall.\nA bid bond of 5% of the bid amount is required.',
  'The CIPP liner shall be installed in accordance with ASTM F1216.\nThe minimum liner thickness shall be 6.0 mm.',
];
const MB = 1024 * 1024;
// Generous bound on the wait for a parse slot: long enough that nothing but a held slot makes a test wait it out.
const QUEUE_TIMEOUT_MS = 3_000;
const BUDGET_MB = 64;
const ESTIMATES_PER_MINUTE = 6;

describeEachDatabase('uploaded documents API', ({ db }) => {
  let t: TestApp;
  let pdf: Uint8Array;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

  const upload = (who: string, content: Uint8Array, filename = 'spec.pdf') => {
    const m = multipart([{ name: 'file', filename, content, type: 'application/pdf' }]);
    return t.app.inject({
      method: 'POST',
      url: '/api/documents',
      payload: m.payload,
      headers: { ...m.headers, ...as(who) },
    });
  };
  const estimateJson = (who: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/estimate', payload: body, headers: as(who) });
  /** Parses started since the process began: with no warm threads, every parse starts one cold worker thread. */
  const parsesSoFar = () => parseWorkerPool.stats().coldStarts + parseWorkerPool.stats().warmStarts;

  beforeAll(async () => {
    t = await createTestApp(db(), {
      AUTH: 'on',
      PARSE_CONCURRENCY: '1',
      PARSE_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
      PARSE_MEMORY_BUDGET_MB: String(BUDGET_MB),
      ESTIMATE_RATE_LIMIT_PER_MINUTE: String(ESTIMATES_PER_MINUTE),
    });
    pdf = await createTextPdf(PAGES);
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      await createUser(db(), { email: `${name}@example.com`, password: `${name}-password-1`, role: 'user' });
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/authenticate',
        payload: { email: `${name}@example.com`, password: `${name}-password-1`, return_token: true },
        headers: { origin: ORIGIN, host: 'localhost:80' },
      });
      tokens[name] = r.json().token;
    }
  });
  afterAll(async () => t?.close());

  let aliceDoc = '';

  describe('uploading', () => {
    it('validates, parses and stores a PDF once, answering 201 with its id, pages and sha256', async () => {
      const r = await upload('alice', pdf, 'C:\\Users\\alice\\Spec One.pdf');
      expect(r.statusCode).toBe(201);
      const body = r.json();
      expect(body).toMatchObject({
        success: true,
        filename: 'Spec One.pdf',
        total_pages: 2,
        ocr_pages: 0,
        size_bytes: pdf.byteLength,
      });
      expect(body.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
      expect(body.document_id).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
      aliceDoc = body.document_id;
      const chunks = await db().query<{ data: Uint8Array }>(
        'SELECT data FROM document_chunks WHERE document_id = $1 ORDER BY chunk_index',
        [aliceDoc],
      );
      expect(Buffer.concat(chunks.rows.map((c) => Buffer.from(c.data)))).toEqual(Buffer.from(pdf));
      const pages = await db().query<{ pages: Array<{ text: string }> }>(
        'SELECT pages FROM documents WHERE document_id = $1',
        [aliceDoc],
      );
      expect(pages.rows[0]!.pages[1]!.text).toContain('ASTM F1216');
    });

    it('returns the same document for the same bytes from the same owner, with 200 and without parsing again', async () => {
      const before = parsesSoFar();
      const r = await upload('alice', pdf, 'renamed.pdf');
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ success: true, document_id: aliceDoc, filename: 'renamed.pdf', total_pages: 2 });
      expect(parsesSoFar()).toBe(before);
      expect((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM documents')).rows[0]!.n).toBe(1);
    });

    it("keeps documents apart per owner: another user gets a document of their own and 404 for alice's", async () => {
      const bobs = await upload('bob', pdf);
      expect(bobs.statusCode).toBe(201);
      expect(bobs.json().document_id).not.toBe(aliceDoc);
      for (const r of [
        await t.app.inject({ method: 'GET', url: `/api/documents/${aliceDoc}`, headers: as('bob') }),
        await estimateJson('bob', { document_id: aliceDoc }),
        await t.app.inject({
          method: 'POST',
          url: '/api/analyze',
          payload: { document_id: aliceDoc },
          headers: as('bob'),
        }),
      ]) {
        expect(r.statusCode).toBe(404);
        expect(r.json()).toMatchObject({ success: false, code: 'DOCUMENT_NOT_FOUND' });
      }
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/documents/${aliceDoc}`, headers: as('alice') })).statusCode,
      ).toBe(200);
      expect(
        (
          await t.app.inject({ method: 'GET', url: '/api/documents/not-a-real-document-id-xx', headers: as('alice') })
        ).json().code,
      ).toBe('DOCUMENT_NOT_FOUND');
    });

    it('accepts an upload streamed without a Content-Length (chunked) and stores the same bytes', async () => {
      const other = await createTextPdf(['Chunked upload: the contractor shall submit shop drawings.', 'Second page.']);
      const m = multipart([{ name: 'file', filename: 'chunked.pdf', content: other }]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/documents',
        payload: Readable.from([m.payload.subarray(0, 100), m.payload.subarray(100)]),
        headers: { ...m.headers, ...as('bob') },
      });
      expect(r.statusCode).toBe(201);
      expect(r.json().sha256).toBe(createHash('sha256').update(other).digest('hex'));
      const chunks = await db().query<{ data: Uint8Array }>(
        'SELECT data FROM document_chunks WHERE document_id = $1 ORDER BY chunk_index',
        [r.json().document_id],
      );
      expect(Buffer.concat(chunks.rows.map((c) => Buffer.from(c.data)))).toEqual(Buffer.from(other));
    });

    it('refuses uploads and document reads without sign-in with 401 AUTH_REQUIRED', async () => {
      const m = multipart([{ name: 'file', filename: 'spec.pdf', content: pdf }]);
      const anonymous = [
        await t.app.inject({ method: 'POST', url: '/api/documents', payload: m.payload, headers: m.headers }),
        await t.app.inject({ method: 'GET', url: `/api/documents/${aliceDoc}` }),
        await t.app.inject({ method: 'POST', url: '/api/estimate', payload: { document_id: aliceDoc } }),
      ];
      for (const r of anonymous) expect(r.json()).toMatchObject({ success: false, code: 'AUTH_REQUIRED' });
    });

    it('validates the upload like an analysis: not a PDF, an encrypted PDF and a missing file get their codes', async () => {
      const html = await upload('alice', new TextEncoder().encode('<!doctype html><html></html>'), 'page.pdf');
      expect(html.statusCode).toBe(422);
      expect(html.json().code).toBe('PDF_INVALID');
      const locked = await upload('alice', await createEncryptedPdf('Bids are due on July 15, 2024.'));
      expect(locked.json()).toMatchObject({ success: false, code: 'PDF_ENCRYPTED' });
      const m = multipart([{ name: 'sections', value: '["bidding"]' }]);
      const none = await t.app.inject({
        method: 'POST',
        url: '/api/documents',
        payload: m.payload,
        headers: { ...m.headers, ...as('alice') },
      });
      expect(none.json()).toMatchObject({ code: 'FILE_REQUIRED' });
      expect(none.statusCode).toBe(400);
    });
  });

  describe('estimating and analysing by document_id', () => {
    it('estimates from the stored pages (multipart field or JSON) exactly as from the file, without parsing', async () => {
      const m = multipart([
        { name: 'file', filename: 'spec.pdf', content: pdf },
        { name: 'sections', value: '["general_info"]' },
      ]);
      const fromFile = await t.app.inject({
        method: 'POST',
        url: '/api/estimate',
        payload: m.payload,
        headers: { ...m.headers, ...as('alice') },
      });
      expect(fromFile.statusCode).toBe(200);
      const before = parsesSoFar();
      const fromJson = await estimateJson('alice', { document_id: aliceDoc, sections: ['general_info'] });
      const fields = multipart([
        { name: 'document_id', value: aliceDoc },
        { name: 'sections', value: '["general_info"]' },
      ]);
      const fromField = await t.app.inject({
        method: 'POST',
        url: '/api/estimate',
        payload: fields.payload,
        headers: { ...fields.headers, ...as('alice') },
      });
      expect(parsesSoFar()).toBe(before);
      expect(fromJson.statusCode).toBe(200);
      expect(fromJson.json().estimate).toEqual(fromFile.json().estimate);
      expect(fromField.json().estimate).toEqual(fromFile.json().estimate);
      expect(fromJson.json().estimate.total_pages).toBe(2);
    });

    it("reads a document's page text from the database once however often it is estimated, still checking the owner each time", async () => {
      // dave's own document and rate-limit budget, so the other tests' estimates are unaffected.
      const davesDoc = (await upload('dave', pdf)).json().document_id as string;
      await estimateJson('dave', { document_id: davesDoc, sections: ['general_info'] });
      const before = documentPagesCacheStats();
      for (let i = 0; i < 3; i += 1) {
        const r = await estimateJson('dave', { document_id: davesDoc, sections: ['general_info'] });
        expect(r.statusCode).toBe(200);
      }
      const after = documentPagesCacheStats();
      expect(after.misses).toBe(before.misses);
      expect(after.hits - before.hits).toBe(3);
      // Cached pages are no way around the row check: another user still gets 404 for dave's document.
      const stranger = await estimateJson('carol', { document_id: davesDoc, sections: ['general_info'] });
      expect(stranger.statusCode).toBe(404);
      expect(stranger.json().code).toBe('DOCUMENT_NOT_FOUND');
    });

    it('refuses a request carrying both a file and a document_id', async () => {
      const m = multipart([
        { name: 'document_id', value: aliceDoc },
        { name: 'file', filename: 'spec.pdf', content: pdf },
      ]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/estimate',
        payload: m.payload,
        headers: { ...m.headers, ...as('alice') },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('VALIDATION_FAILED');
    });

    it('starts an analysis from a document_id: the session gets its own copy of the PDF and completes', async () => {
      const before = parsesSoFar();
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/analyze',
        payload: { document_id: aliceDoc, sections: ['general_info', 'materials_standards'] },
        headers: as('alice'),
      });
      expect(r.statusCode).toBe(202);
      const sessionId = r.json().session_id as string;
      const own = await waitForTerminal(t.app, sessionId, 60_000, as('alice'));
      expect(own.status).toBe('completed');
      expect(own.result).toMatchObject({ document_name: 'renamed.pdf', total_pages: 2 });
      expect(parsesSoFar()).toBe(before); // the stored page text was copied: neither the request nor the run parsed
      const served = await t.app.inject({ method: 'GET', url: `/api/document/${sessionId}`, headers: as('alice') });
      expect(served.statusCode).toBe(200);
      expect(Buffer.from(served.rawPayload)).toEqual(Buffer.from(pdf));
      const doc = (
        await t.app.inject({ method: 'GET', url: `/api/documents/${aliceDoc}`, headers: as('alice') })
      ).json();
      expect(doc.expires_at).toBeNull();
    });
  });

  describe('expiry', () => {
    it('expires an unused document after its time (410 DOCUMENT_EXPIRED) and maintenance then deletes it (404)', async () => {
      const other = await createTextPdf([
        'Liquidated damages shall be $1,500 per calendar day.',
        'The warranty period is two (2) years.',
      ]);
      const id = (await upload('carol', other)).json().document_id as string;
      await db().query("UPDATE documents SET expires_at = now() - interval '1 second' WHERE document_id = $1", [id]);
      for (const r of [
        await estimateJson('carol', { document_id: id }),
        await t.app.inject({ method: 'GET', url: `/api/documents/${id}`, headers: as('carol') }),
      ]) {
        expect(r.statusCode).toBe(410);
        expect(r.json().code).toBe('DOCUMENT_EXPIRED');
      }
      const removed = await runMaintenance(t.ctx);
      expect(removed.documentsRemoved).toBe(1);
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/documents/${id}`, headers: as('carol') })).json().code,
      ).toBe('DOCUMENT_NOT_FOUND');
      expect(
        (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM document_chunks WHERE document_id = $1', [id]))
          .rows[0]!.n,
      ).toBe(0);
    });

    it('never expires a used document, and an analysis keeps its PDF even after the document is deleted', async () => {
      await db().query("UPDATE documents SET expires_at = now() - interval '1 day' WHERE document_id = $1", [aliceDoc]);
      expect((await runMaintenance(t.ctx)).documentsRemoved).toBe(0);
      expect((await estimateJson('alice', { document_id: aliceDoc })).statusCode).toBe(200);
      const sessions = await db().query<{ session_id: string }>(
        'SELECT session_id FROM session_documents WHERE sha256 = $1',
        [createHash('sha256').update(pdf).digest('hex')],
      );
      expect(sessions.rows.length).toBeGreaterThan(0);
      await db().query('DELETE FROM documents WHERE document_id = $1', [aliceDoc]);
      for (const { session_id } of sessions.rows) {
        const served = await t.app.inject({ method: 'GET', url: `/api/document/${session_id}`, headers: as('alice') });
        expect(served.statusCode).toBe(200);
        expect(Buffer.from(served.rawPayload)).toEqual(Buffer.from(pdf));
      }
    });
  });

  describe('bounded uploads', () => {
    it('refuses a question config file over 1 MB with 413 CONFIG_TOO_LARGE', async () => {
      const big = JSON.stringify({ config_name: 'x', padding: 'y'.repeat(MB + 10) });
      const m = multipart([
        { name: 'file', filename: 'spec.pdf', content: pdf },
        { name: 'config', filename: 'q.json', content: big, type: 'application/json' },
      ]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/analyze',
        payload: m.payload,
        headers: { ...m.headers, ...as('alice') },
      });
      expect(r.statusCode).toBe(413);
      expect(r.json()).toMatchObject({ success: false, code: 'CONFIG_TOO_LARGE' });
    });

    it('answers 503 SERVER_BUSY with Retry-After when every parse slot stays taken, and parses again once one is free', async () => {
      // Hold the only parse slot (PARSE_CONCURRENCY=1), as a long parse would.
      const held = await parseGate.acquire({
        limits: { concurrency: 1, memoryBudgetBytes: BUDGET_MB * MB },
        queueTimeoutMs: 0,
      });
      const fresh = await createTextPdf(['A different document about manhole rehabilitation.', 'Second page of it.']);
      try {
        const r = await upload('bob', fresh);
        expect(r.statusCode).toBe(503);
        expect(r.json()).toMatchObject({ success: false, code: 'SERVER_BUSY' });
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        const m = multipart([{ name: 'file', filename: 'spec.pdf', content: fresh }]);
        const est = await t.app.inject({
          method: 'POST',
          url: '/api/estimate',
          payload: m.payload,
          headers: { ...m.headers, ...as('bob') },
        });
        expect(est.json().code).toBe('SERVER_BUSY');
        expect(await registry.metrics()).toMatch(/spec_analyzer_parse_gate\{kind="active"\} 1\n/);
      } finally {
        held.release();
      }
      expect((await upload('bob', fresh)).statusCode).toBe(201);
    });

    it('refuses a PDF that alone inflates past PARSE_MEMORY_BUDGET_MB with 422 PDF_TOO_COMPLEX', async () => {
      const bomb = await createFlateBombPdf((BUDGET_MB + 16) * MB);
      const r = await upload('carol', bomb);
      expect(r.statusCode).toBe(422);
      expect(r.json()).toMatchObject({ success: false, code: 'PDF_TOO_COMPLEX' });
      expect(parseGate.stats()).toMatchObject({ active: 0, reservedBytes: 0 });
    });

    it('rate-limits estimates per user (ESTIMATE_RATE_LIMIT_PER_MINUTE) with 429 RATE_LIMITED', async () => {
      const id = (await upload('carol', pdf)).json().document_id as string;
      const codes: number[] = [];
      for (let i = 0; i <= ESTIMATES_PER_MINUTE; i++)
        codes.push((await estimateJson('carol', { document_id: id })).statusCode);
      // carol estimated once before (the expiry test): the limit is reached within this loop.
      expect(codes.filter((c) => c === 200).length).toBeLessThan(ESTIMATES_PER_MINUTE + 1);
      const limited = await estimateJson('carol', { document_id: id });
      expect(limited.statusCode).toBe(429);
      expect(limited.json().code).toBe('RATE_LIMITED');
      // Another user is not affected.
      expect(
        (await estimateJson('bob', { document_id: (await upload('bob', pdf)).json().document_id })).statusCode,
      ).toBe(200);
    });
  });
});
