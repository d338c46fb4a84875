import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, multipart, type TestApp } from '../helpers/test-app.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { createUser } from '../../src/auth/accounts.js';
import { REDACT_PATHS } from '../../src/logger.js';

const ORIGIN = 'http://localhost:80';

describeEachDatabase('access control and hardening', ({ db }) => {
  let t: TestApp;
  let pdf: Uint8Array;
  const tokens: Record<'admin' | 'alice' | 'bob', string> = { admin: '', alice: '', bob: '' };
  let aliceSession = '';

  // Scripts ask for the bearer token; the browser's sign-in (no return_token) gets only the cookie.
  const signIn = async (
    email: string,
    password: string,
    extra: Record<string, unknown> = { return_token: true },
    remoteAddress = '127.0.0.1',
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/authenticate',
      payload: { email, password, ...extra },
      headers: { origin: ORIGIN, host: 'localhost:80' },
      remoteAddress,
    });
  const as = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    t = await createTestApp(db(), { AUTH: 'on' });
    pdf = await createTextPdf(['Bids are due on July 15, 2024.', 'The liner thickness shall be 6.0 mm.']);
    await createUser(db(), { email: 'admin@example.com', password: 'admin-password-1', role: 'admin' });
    await createUser(db(), { email: 'alice@example.com', password: 'alice-password-1', role: 'user' });
    await createUser(db(), { email: 'bob@example.com', password: 'bob-password-12', role: 'user' });
    tokens.admin = (await signIn('admin@example.com', 'admin-password-1')).json().token;
    tokens.alice = (await signIn('alice@example.com', 'alice-password-1')).json().token;
    tokens.bob = (await signIn('BOB@example.com', 'bob-password-12')).json().token;
    const m = multipart([
      { name: 'file', filename: '<img src=x onerror=alert(1)>.pdf', content: pdf },
      { name: 'sections', value: '["general_info"]' },
    ]);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/analyze',
      payload: m.payload,
      headers: { ...m.headers, ...as('alice') },
    });
    aliceSession = r.json().session_id;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const s = await t.app.inject({ method: 'GET', url: `/api/results/${aliceSession}`, headers: as('alice') });
      if (['completed', 'partial', 'failed'].includes(s.json().status)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
  });
  afterAll(async () => t?.close());

  describe('signing in', () => {
    it('answers a browser sign-in with the httpOnly cookie only: no token in the body unless a script asks', async () => {
      const r = await signIn('alice@example.com', 'alice-password-1', {});
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({
        success: true,
        expires_at: expect.any(String),
        user: { email: 'alice@example.com', role: 'user' },
      });
      const cookieToken = /sa_session=([^;]+)/.exec(String(r.headers['set-cookie']))?.[1] ?? '';
      expect(cookieToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(r.body).not.toContain(cookieToken);
      const verify = await t.app.inject({
        method: 'POST',
        url: '/api/verify-session',
        cookies: { sa_session: cookieToken },
        headers: { origin: ORIGIN, host: 'localhost:80' },
      });
      expect(verify.json()).toMatchObject({ success: true, user: { email: 'alice@example.com' } });
      expect(
        (await signIn('alice@example.com', 'alice-password-1', { return_token: false })).json().token,
      ).toBeUndefined();
      expect((await signIn('alice@example.com', 'alice-password-1', { return_token: 'yes please' })).statusCode).toBe(
        400,
      );
    });

    it('returns a bearer token (with return_token: true) and an httpOnly SameSite=Lax cookie, and never the password hash', async () => {
      const r = await signIn('alice@example.com', 'alice-password-1');
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ success: true, user: { email: 'alice@example.com', role: 'user' } });
      expect(r.json().token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      const cookie = String(r.headers['set-cookie']);
      expect(cookie).toMatch(/sa_session=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(r.body).not.toMatch(/scrypt/);
    });

    it('verifies a session from the cookie and signs out by revoking it in the database', async () => {
      const r = await signIn('bob@example.com', 'bob-password-12');
      const token = r.json().token as string;
      const verify = await t.app.inject({
        method: 'POST',
        url: '/api/verify-session',
        cookies: { sa_session: token },
        headers: { origin: ORIGIN, host: 'localhost:80' },
      });
      expect(verify.json()).toMatchObject({ success: true, user: { email: 'bob@example.com' } });
      const out = await t.app.inject({
        method: 'POST',
        url: '/api/logout',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(out.statusCode).toBe(200);
      const after = await t.app.inject({
        method: 'POST',
        url: '/api/verify-session',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(after.statusCode).toBe(401);
      expect(after.json().code).toBe('AUTH_REQUIRED');
    });

    it('refuses a wrong password and an unknown email alike with 401 AUTH_INVALID', async () => {
      for (const [email, pw] of [
        ['alice@example.com', 'wrong-password'],
        ['nobody@example.com', 'whatever-pass'],
      ]) {
        const r = await signIn(email!, pw!);
        expect(r.statusCode).toBe(401);
        expect(r.json()).toMatchObject({
          success: false,
          code: 'AUTH_INVALID',
          error: 'Email or password is incorrect.',
        });
      }
    });

    it('throttles repeated failures with 429 RATE_LIMITED for that address and email, real or not (details: sign-in-throttling.test.ts)', async () => {
      await createUser(db(), { email: 'target@example.com', password: 'target-password', role: 'user' });
      for (const email of ['target@example.com', 'no-such-target@example.com']) {
        // From an address of its own: the 20-a-minute per-address limit is shared with the other tests here.
        for (let i = 0; i < 5; i++)
          expect((await signIn(email, `guess-${i}-xxxxx`, {}, '192.0.2.10')).statusCode).toBe(401);
        const throttled = await signIn(email, 'target-password', {}, '192.0.2.10');
        expect(throttled.statusCode).toBe(429);
        expect(throttled.json().code).toBe('RATE_LIMITED');
        expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      }
    });
  });

  describe('unauthenticated requests', () => {
    const routes: Array<[string, string]> = [
      ['POST', '/api/analyze'],
      ['POST', '/api/estimate'],
      ['GET', '/api/results/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/events/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/progress/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['POST', '/api/stop/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/export/AAAAAAAAAAAAAAAAAAAAAAAA?format=xlsx'],
      ['GET', '/api/export/excel-dashboard/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/document/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['POST', '/api/review/AAAAAAAAAAAAAAAAAAAAAAAA/Q1'],
      ['GET', '/api/review/AAAAAAAAAAAAAAAAAAAAAAAA/Q1/history'],
      ['POST', '/api/rerun/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/rerun/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/config/questions'],
      ['POST', '/api/config/validate'],
      ['GET', '/api/engines'],
      ['GET', '/api/admin/analyses'],
      ['GET', '/api/admin/analysis/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['DELETE', '/api/admin/analysis/AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/admin/stats'],
      ['GET', '/api/admin/sessions'],
      ['GET', '/metrics'],
    ];
    for (const [method, url] of routes) {
      it(`refuses ${method} ${url} with 401 AUTH_REQUIRED`, async () => {
        const r = await t.app.inject({ method: method as 'GET', url });
        expect(r.statusCode).toBe(401);
        expect(r.json()).toMatchObject({ success: false, code: 'AUTH_REQUIRED' });
      });
    }

    it('still serves health, readiness, the pages shell and the OpenAPI document', async () => {
      for (const url of ['/health', '/ready', '/api/openapi.json'])
        expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    });

    it('refuses a forged or expired token', async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: '/api/engines',
        headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      });
      expect(r.statusCode).toBe(401);
    });
  });

  describe('one user cannot reach another user’s analysis', () => {
    it('lets the owner read it', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/api/results/${aliceSession}`, headers: as('alice') });
      expect(r.statusCode).toBe(200);
      expect(r.json().session.owner).toBeTruthy();
    });

    const attempts: Array<[string, string]> = [
      ['GET', '/api/results/ID'],
      ['GET', '/api/events/ID'],
      ['GET', '/api/progress/ID'],
      ['POST', '/api/stop/ID'],
      ['GET', '/api/export/ID?format=csv'],
      ['GET', '/api/export/excel-dashboard/ID'],
      ['GET', '/api/document/ID'],
      ['POST', '/api/rerun/ID'],
      ['GET', '/api/rerun/ID'],
    ];
    for (const [method, path] of attempts) {
      it(`answers ${method} ${path} for another user's id exactly like a missing session (404 SESSION_NOT_FOUND)`, async () => {
        const r = await t.app.inject({
          method: method as 'GET',
          url: path.replace('ID', aliceSession),
          headers: as('bob'),
        });
        expect(r.statusCode).toBe(404);
        expect(r.json().code).toBe('SESSION_NOT_FOUND');
      });
    }

    it('keeps the admin API to admins (403 FORBIDDEN for users), including delete', async () => {
      for (const [method, url] of [
        ['GET', '/api/admin/analyses'],
        ['GET', `/api/admin/analysis/${aliceSession}`],
        ['DELETE', `/api/admin/analysis/${aliceSession}`],
        ['GET', '/api/admin/stats'],
        ['GET', '/metrics'],
      ]) {
        const r = await t.app.inject({ method: method as 'GET', url: url!, headers: as('bob') });
        expect(r.statusCode, url).toBe(403);
        expect(r.json().code).toBe('FORBIDDEN');
      }
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/results/${aliceSession}`, headers: as('alice') })).statusCode,
      ).toBe(200);
    });

    it('serves the stored PDF to its owner (cookie, as the page’s viewer fetches it) and to an admin, inline and never sniffed', async () => {
      for (const headers of [{ cookie: `sa_session=${tokens.alice}` }, as('admin')]) {
        const r = await t.app.inject({ method: 'GET', url: `/api/document/${aliceSession}`, headers });
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-type']).toBe('application/pdf');
        expect(Buffer.compare(r.rawPayload, Buffer.from(pdf))).toBe(0);
        expect(String(r.headers['content-disposition'])).toMatch(/^inline; filename="[^"<>]+"/);
        expect(r.headers['cache-control']).toMatch(/^private/);
        expect(r.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it('lets an admin see every analysis with its owner', async () => {
      const list = (await t.app.inject({ method: 'GET', url: '/api/admin/analyses', headers: as('admin') })).json();
      expect(list.sessions.map((s: { session_id: string }) => s.session_id)).toContain(aliceSession);
      // By email, not only by id: the list and the detail both name the owner.
      expect(list.sessions.find((s: { session_id: string }) => s.session_id === aliceSession)).toMatchObject({
        owner_email: 'alice@example.com',
      });
      const detail = (
        await t.app.inject({ method: 'GET', url: `/api/admin/analysis/${aliceSession}`, headers: as('admin') })
      ).json();
      expect(detail.session).toMatchObject({ session_id: aliceSession, owner_email: 'alice@example.com' });
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/results/${aliceSession}`, headers: as('admin') })).statusCode,
      ).toBe(200);
    });
  });

  describe('cross-site requests', () => {
    it('rejects a cookie-authenticated state change from another origin with 403 CSRF_REJECTED', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/stop/${aliceSession}`,
        cookies: { sa_session: tokens.alice },
        headers: { origin: 'https://evil.example', host: 'localhost:80' },
      });
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('CSRF_REJECTED');
    });

    it('rejects a cookie-authenticated state change with no Origin or Referer', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/stop/${aliceSession}`,
        cookies: { sa_session: tokens.alice },
      });
      expect(r.statusCode).toBe(403);
    });

    it('accepts the same request from the app’s own origin, and from scripts using the bearer token', async () => {
      const same = await t.app.inject({
        method: 'POST',
        url: `/api/stop/${aliceSession}`,
        cookies: { sa_session: tokens.alice },
        headers: { origin: ORIGIN, host: 'localhost:80' },
      });
      expect(same.statusCode).toBe(200);
      const script = await t.app.inject({ method: 'POST', url: `/api/stop/${aliceSession}`, headers: as('alice') });
      expect(script.statusCode).toBe(200);
    });

    it('checks a re-run like any state change: refused cross-site, queued for the owner and for an admin', async () => {
      const evil = await t.app.inject({
        method: 'POST',
        url: `/api/rerun/${aliceSession}`,
        payload: { question_ids: ['Q1'] },
        cookies: { sa_session: tokens.alice },
        headers: { origin: 'https://evil.example', host: 'localhost:80' },
      });
      expect(evil.statusCode).toBe(403);
      expect(evil.json().code).toBe('CSRF_REJECTED');
      const byOwner = await t.app.inject({
        method: 'POST',
        url: `/api/rerun/${aliceSession}`,
        payload: { question_ids: ['Q1'] },
        cookies: { sa_session: tokens.alice },
        headers: { origin: ORIGIN, host: 'localhost:80' },
      });
      expect(byOwner.statusCode).toBe(202);
      for (let i = 0; i < 600; i++) {
        const s = await t.app.inject({ method: 'GET', url: `/api/results/${aliceSession}`, headers: as('alice') });
        if (['completed', 'partial', 'failed'].includes(s.json().status)) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const byAdmin = await t.app.inject({
        method: 'POST',
        url: `/api/rerun/${aliceSession}`,
        payload: { question_ids: ['Q2'] },
        headers: as('admin'),
      });
      expect(byAdmin.statusCode).toBe(202);
      for (let i = 0; i < 600; i++) {
        const s = await t.app.inject({ method: 'GET', url: `/api/results/${aliceSession}`, headers: as('alice') });
        if (['completed', 'partial', 'failed'].includes(s.json().status)) break;
        await new Promise((res) => setTimeout(res, 100));
      }

      expect(byAdmin.json()).toMatchObject({ pass: 3 });
      const passes = (
        await t.app.inject({ method: 'GET', url: `/api/rerun/${aliceSession}`, headers: as('alice') })
      ).json().passes as Array<{ requested_by: string | null }>;
      expect(passes).toHaveLength(3);
      expect(passes[1]!.requested_by).not.toBe(passes[2]!.requested_by); // alice, then the admin
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/rerun/${aliceSession}`,
            payload: { question_ids: ['Q1'] },
            headers: as('bob'),
          })
        ).statusCode,
      ).toBe(404);
    });

    it('rejects a login form posted from another origin', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/authenticate',
        payload: { email: 'alice@example.com', password: 'alice-password-1' },
        headers: { origin: 'https://evil.example', host: 'localhost:80' },
      });
      expect(r.statusCode).toBe(403);
    });
  });

  describe('hostile input', () => {
    it('treats SQL in every admin query parameter as data or rejects it, and the tables survive', async () => {
      const q = encodeURIComponent("' OR '1'='1'; DROP TABLE sessions; --");
      const search = await t.app.inject({ method: 'GET', url: `/api/admin/analyses?q=${q}`, headers: as('admin') });
      expect(search.statusCode).toBe(200);
      expect(search.json().total).toBe(0);
      for (const bad of [
        `status=${encodeURIComponent("completed' OR 1=1 --")}`,
        'limit=1;DROP%20TABLE%20sessions',
        'offset=-1',
        'days=0',
      ]) {
        const url = bad.startsWith('days') ? `/api/admin/stats?${bad}` : `/api/admin/analyses?${bad}`;
        const r = await t.app.inject({ method: 'GET', url, headers: as('admin') });
        expect(r.statusCode, bad).toBe(400);
        expect(r.json().code).toBe('VALIDATION_FAILED');
      }
      const ids = await t.app.inject({
        method: 'GET',
        url: `/api/results/${encodeURIComponent("x' OR '1'='1")}`,
        headers: as('admin'),
      });
      expect(ids.statusCode).toBe(404);
      expect((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n).toBeGreaterThan(
        0,
      );
    });

    it('keeps a hostile file name inert in JSON and in download headers', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/api/results/${aliceSession}`, headers: as('alice') });
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(r.json().session.document_name).toBe('<img src=x onerror=alert(1)>.pdf');
      const csv = await t.app.inject({
        method: 'GET',
        url: `/api/export/${aliceSession}?format=csv`,
        headers: as('alice'),
      });
      const cd = String(csv.headers['content-disposition']);
      expect(cd).not.toMatch(/[<>]/);
      expect(cd).toMatch(/^attachment; filename="[^"\\/\r\n]+"; filename\*=UTF-8''[^\s"]+$/);
    });

    it('strips path traversal and header injection from export file names', async () => {
      const m = multipart([
        { name: 'file', filename: '../../etc/passwd"\r\nSet-Cookie: x=1.pdf', content: pdf },
        { name: 'sections', value: '["general_info"]' },
      ]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/analyze',
        payload: m.payload,
        headers: { ...m.headers, ...as('alice') },
      });
      const id = r.json().session_id as string;
      const exp = await t.app.inject({ method: 'GET', url: `/api/export/${id}?format=json`, headers: as('alice') });
      expect(exp.statusCode).toBe(200);
      const cd = String(exp.headers['content-disposition']);
      expect(cd).not.toMatch(/\.\.\/|\r|\n|Set-Cookie:/);
      expect(exp.headers['set-cookie']).toBeUndefined();
    });

    it('never returns a secret: no endpoint exposes the LLM key', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/engines', headers: as('alice') });
      expect(r.body).not.toMatch(/sk-|api_key|apiKey/);
    });

    it('sends a Content-Security-Policy without unsafe-inline scripts, and the other security headers', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/health' });
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBeTruthy();
      // The PDF viewer's pdf.js worker comes from this origin; nothing may be evaluated from strings.
      expect(csp).toMatch(/worker-src 'self'/);
      expect(csp).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
    });
  });
});

describe('log redaction', () => {
  it('redacts authorization headers, cookies, passwords and API keys', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        req: { headers: { authorization: 'Bearer secret-token', cookie: 'sa_session=secret-cookie' } },
        body: { password: 'hunter2hunter2' },
        llm: { apiKey: 'sk-live-123' },
      },
      'x',
    );
    expect(out).not.toMatch(/secret-token|secret-cookie|hunter2|sk-live-123/);
    expect(out).toMatch(/\[redacted\]/);
  });
});
