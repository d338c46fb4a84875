/**
 * The original front end's flow in a real browser against the real server (AUTH=off, as on a laptop): a minimal
 * page of our own (test/browser/fixtures/legacy-frontend.html) makes the old pages' calls in their order —
 * config, upload, poll by its own session id, JSON analyze, events until analysis_complete, results, the admin
 * list — and reaches a completed analysis with results. The page is served to the browser by the test only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  UI_TIMEOUT_MS,
  browserAvailable,
  createSpecPdf,
  getJson,
  launchBrowser,
  openPage,
  saveScreenshot,
  startTestServer,
  writeTempFile,
  type BrowserPage,
  type TestServer,
} from './browser-harness.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'legacy-frontend.html');
// Where the browser believes the page lives: on the server's own origin, so its fetch() calls are same-origin.
const PAGE_PATH = '/__test__/legacy-frontend.html';

const run = browserAvailable() ? describe : describe.skip;

run('the original front end flow in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let tmp: string;
  let specPath: string;
  let opened: BrowserPage | undefined;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-legacy-files-'));
    specPath = writeTempFile(tmp, 'Example Creek spec.pdf', await createSpecPdf());
    server = await startTestServer();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await opened?.context.close();
    await browser?.close();
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('uploads, starts by JSON with its own session id, follows the events and shows the completed results', async () => {
    opened = await openPage(browser);
    const { page, context, errors, dialogs } = opened;
    // A tiny static route of the test: the fixture page on the server's origin; every other request goes to the server.
    await context.route(`${server.baseUrl}${PAGE_PATH}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: fs.readFileSync(FIXTURE, 'utf8') }),
    );
    const calls: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/'))
        calls.push(`${r.method()} ${url.pathname.replace(/\/session_\d+/, '/<own id>')}`);
    });

    await page.goto(`${server.baseUrl}${PAGE_PATH}`);
    await expect
      .poll(() => page.textContent('#config'), { timeout: UI_TIMEOUT_MS })
      .toMatch(/^\d+ questions in \d+ sections$/);
    await page.setInputFiles('#file', specPath);
    await page.click('#start');
    await expect
      .poll(() => page.textContent('#status'), { timeout: UI_TIMEOUT_MS * 3 })
      .toMatch(/^(complete|failed|error|results):|failed/); // ends in success or a failure message

    const status = await page.textContent('#status');
    expect(status).toMatch(/^complete: [1-9]\d*\/20$/);
    const rows = await page.$$eval('#results tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows).toHaveLength(20);
    // an answer with its pages
    expect(rows.some((r) => r[1] !== 'Not found in document' && /\d/.test(r[3] ?? ''))).toBe(true);
    const log = await page.$$eval('#log li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(log.some((l) => /^ingested 4 pages, \d+ windows of \d+$/.test(l))).toBe(true);
    expect(log.some((l) => /^config 20 questions in 2 sections: .+, .+$/.test(l))).toBe(true);
    expect(log.some((l) => /^window \d+: \d+ answers in \d+\.\ds; \d+ new$/.test(l))).toBe(true);
    expect(log.some((l) => l === 'results ready: 2 sections')).toBe(true);
    expect(log.some((l) => /^complete: \d+ answered, \$\d+\.\d{4}$/.test(l))).toBe(true);
    expect(await page.textContent('#admin')).toMatch(/^sessions 1, completed 1: Example Creek spec\.pdf \d+\/20$/);

    // The same calls in the same order as the original page (polling repeats while the run goes).
    const firstIndex = (call: string) => calls.indexOf(call);
    expect(firstIndex('GET /api/config/questions')).toBe(0);
    expect(firstIndex('POST /api/upload')).toBeGreaterThan(0);
    expect(firstIndex('GET /api/events/<own id>')).toBeGreaterThan(firstIndex('POST /api/upload'));
    // The page issues its first poll and then the analyze call without waiting in between: the two requests are
    // in flight together, so the browser may report either first. Both come after the upload.
    expect(firstIndex('POST /api/analyze')).toBeGreaterThan(firstIndex('POST /api/upload'));
    expect(firstIndex('GET /api/results/<own id>')).toBeGreaterThan(firstIndex('POST /api/analyze'));
    expect(calls.at(-1)).toBe('GET /api/admin/sessions');

    // The server agrees: one completed session, found through the admin list.
    const admin = await getJson<{ sessions: { completed: Array<{ session_id: string; pdf_path: string }> } }>(
      `${server.baseUrl}/api/admin/sessions`,
    );
    expect(admin.sessions.completed).toHaveLength(1);
    expect(admin.sessions.completed[0]!.pdf_path).toBe(
      `db:session_documents/${admin.sessions.completed[0]!.session_id}`,
    );
    await saveScreenshot(page, 'legacy-frontend-complete', { fullPage: true });
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
