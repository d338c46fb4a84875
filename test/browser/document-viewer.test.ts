/**
 * The PDF viewer in a real browser against the real server: an analysis of a generated PDF (known text on
 * known pages; one answer quoted from two pages through the fake LLM) → a page citation in the results opens
 * pdf.js beside them at that page, with the quote highlighted over the text-layer span that holds it; the
 * next cited page; zoom; an image-only page says why nothing is highlighted; no CSP violation anywhere; and
 * another user can fetch neither the document nor the page.
 *
 * Runs on PostgreSQL (two users need creating while the server runs); without it, on PGlite with AUTH=off
 * and the other-user check skipped with a notice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createPdf } from '../helpers/pdf-factory.js';
import { answersReply, readPrompt, startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server.js';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createUser } from '../../src/auth/accounts.js';
import {
  UI_TIMEOUT_MS,
  browserAvailable,
  launchBrowser,
  openPage,
  saveScreenshot,
  startTestServer,
  type BrowserPage,
  type TestServer,
} from './browser-harness.js';

const RESIN = 'The resin shall be a polyester resin system meeting the physical properties of ASTM F1216.';
const RESIN_TESTING = 'Resin testing shall follow ASTM D790 on samples cut from the installed liner.';
const FILLER = (page: number, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${page}.${i + 1} The contractor shall keep the work area clean and safe at all times.`,
  );

// Page 2 holds the first half of the quote in the middle of other lines; page 4 the second; page 5 is a scan.
const PAGES = [
  {
    lines: [
      'SECTION 01 11 00 SUMMARY OF WORK',
      'The project is the Example Creek Sewer Rehabilitation.',
      ...FILLER(1, 8),
    ],
  },
  {
    lines: [
      'SECTION 33 01 30.72 CURED-IN-PLACE PIPE LINING',
      ...FILLER(2, 20).slice(0, 12),
      RESIN,
      ...FILLER(2, 20).slice(12),
    ],
  },
  {
    lines: [
      'SECTION 00 21 13 INSTRUCTIONS TO BIDDERS',
      'A bid bond of 5 percent of the bid amount is required.',
      ...FILLER(3, 6),
    ],
  },
  { lines: ['SECTION 01 45 00 QUALITY CONTROL', ...FILLER(4, 20), RESIN_TESTING] },
  { imageLines: ['SECTION 01 78 00 CLOSEOUT', 'The contractor shall warrant the work for two years.'] },
];
const QUOTED_QUESTION = 'Q11';
const ANSWER = 'Polyester resin system (ASTM F1216), tested to ASTM D790';

const ADMIN = { email: 'chief@example.com', password: 'chief-long-password' };
const USERS = {
  alice: { email: 'alice@example.com', password: 'alice-long-password' },
  bob: { email: 'bob@example.com', password: 'bob-long-password!' },
};

const run = browserAvailable() ? describe : describe.skip;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

run('document viewer', () => {
  let server: TestServer;
  let fake: FakeLlmServer;
  let browser: Browser;
  let database: { url: string; drop: () => Promise<void> } | null = null;
  let sessionId: string;
  const withUsers = postgresAvailable();
  const opened: BrowserPage[] = [];

  async function signIn(context: BrowserContext, who: keyof typeof USERS): Promise<void> {
    const r = await context.request.post(`${server.baseUrl}/api/authenticate`, {
      data: USERS[who],
      headers: { origin: server.baseUrl },
    });
    expect(r.status()).toBe(200);
  }

  beforeAll(async () => {
    if (!withUsers)
      console.warn(
        '\n*** NOTICE: PostgreSQL not reachable: the document viewer runs with AUTH=off; the other-user check is SKIPPED.\n',
      );
    fake = await startFakeLlmServer();
    // The model answers the resin question with a quote in two fragments, from pages 2 and 4.
    fake.setHandler((request) =>
      answersReply(
        readPrompt(request).questions.map((q) =>
          q.id === QUOTED_QUESTION
            ? {
                question_id: q.id,
                answer: ANSWER,
                quote: `${RESIN} ... ${RESIN_TESTING}`,
                pages: [2, 4],
                confidence: 0.9,
              }
            : { question_id: q.id, answer: null },
        ),
      ),
    );
    database = withUsers ? await createEmptyPostgresDatabase() : null;
    const env: NodeJS.ProcessEnv = {
      LLM_BASE_URL: fake.url,
      LLM_MODEL: 'fake-model',
      LLM_API_KEY: 'test',
      LLM_MAX_RETRIES: '0',
    };
    if (database)
      Object.assign(env, {
        DATABASE_URL: database.url,
        AUTH: 'on',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
      });
    [server, browser] = await Promise.all([startTestServer(env), launchBrowser()]);
    let auth: Record<string, string> = {};
    if (database) {
      const db = createPgDatabase({
        url: database.url,
        directUrl: null,
        poolMax: 2,
        statementTimeoutMs: 30_000,
        ssl: 'auto',
      });
      try {
        for (const user of Object.values(USERS)) await createUser(db, { ...user, role: 'user' });
      } finally {
        await db.close();
      }
      const login = await fetch(`${server.baseUrl}/api/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...USERS.alice, return_token: true }),
      });
      auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    }
    const pdf = await createPdf(PAGES);
    const form = new FormData();
    form.append('engine', 'llm');
    form.append('sections', JSON.stringify(['materials_standards']));
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'viewer-spec.pdf');
    const started = await fetch(`${server.baseUrl}/api/analyze`, { method: 'POST', body: form, headers: auth });
    const body = (await started.json()) as { session_id?: string };
    expect(started.status, JSON.stringify(body)).toBe(202);
    sessionId = body.session_id!;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const r = (await (await fetch(`${server.baseUrl}/api/results/${sessionId}`, { headers: auth })).json()) as {
        status: string;
      };
      if (['completed', 'partial', 'failed'].includes(r.status)) {
        expect(r.status).toBe('completed');
        break;
      }
      if (Date.now() > deadline) throw new Error('the analysis did not finish in 90 s');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fake?.close();
    await database?.drop();
  });

  afterEach(async () => {
    for (const p of opened.splice(0)) await p.context.close();
  });

  async function openAnalyzer(viewport?: { width: number; height: number }): Promise<BrowserPage> {
    const p = await openPage(browser, viewport);
    opened.push(p);
    if (withUsers) await signIn(p.context, 'alice');
    await p.page.goto(`${server.baseUrl}/analyzer?session=${sessionId}`);
    await p.page
      .locator(`#answers-body .q-row[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page]`)
      .first()
      .waitFor();
    return p;
  }

  const viewerRoot = (page: Page) => page.locator('#document-panel .document-viewer');

  async function waitForPage(page: Page, n: number): Promise<void> {
    await page
      .locator(`#document-panel .document-viewer[data-viewer-state="ready"][data-page="${n}"]`)
      .waitFor({ timeout: UI_TIMEOUT_MS });
  }

  /** Bounding boxes of the highlights, and of the text-layer spans whose text holds `needle`. */
  async function highlightAndSpanBoxes(page: Page, needle: string): Promise<{ highlights: Rect[]; spans: Rect[] }> {
    const highlights = await page.locator('#document-panel [data-quote-highlight]').evaluateAll((nodes) =>
      nodes.map((n) => {
        const r = n.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
    const spans = await page.locator('#document-panel .textLayer span').evaluateAll(
      (nodes, text) =>
        nodes
          .filter((n) => (n.textContent ?? '').includes(text))
          .map((n) => {
            const r = n.getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height };
          }),
      needle,
    );
    return { highlights, spans };
  }

  it('opens a cited page beside the results with the quote highlighted over its text-layer span', async () => {
    const { page, errors } = await openAnalyzer();
    const cites = page.locator(`#answers-body .q-row[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page]`);
    expect(await cites.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-cite-page')))).toEqual(['2', '4']);
    // pdf.js is not loaded until a viewer opens.
    expect(
      await page.evaluate<boolean>(
        "performance.getEntriesByType('resource').some((e) => e.name.includes('/vendor/pdfjs/'))",
      ),
    ).toBe(false);

    await cites.first().click();
    await waitForPage(page, 2);
    expect(await page.locator('#document-panel').isVisible()).toBe(true);
    expect(await viewerRoot(page).getAttribute('data-quote-status')).toBe('full');
    expect(await page.locator('#document-panel .viewer-page-indicator').innerText()).toMatch(
      /Page 2 of 5 · cited 1 of 2/,
    );

    const { highlights, spans } = await highlightAndSpanBoxes(page, 'polyester resin system');
    expect(spans.length).toBeGreaterThan(0);
    expect(highlights.length).toBeGreaterThan(0);
    expect(highlights.some((h) => spans.some((s) => overlaps(h, s)))).toBe(true);
    // Only the quote is highlighted: no highlight sits on a line of the filler text.
    const filler = await highlightAndSpanBoxes(page, '2.3 The contractor shall keep');
    expect(filler.spans.length).toBe(1);
    expect(highlights.some((h) => overlaps(h, filler.spans[0]!))).toBe(false);
    // Beside the results, not over them: the results table stays in view left of the panel.
    const panelBox = (await page.locator('#document-panel').boundingBox())!;
    const tableBox = (await page.locator('#answers-body').boundingBox())!;
    expect(tableBox.x + Math.min(tableBox.width, 200)).toBeLessThanOrEqual(panelBox.x);
    await saveScreenshot(page, 'viewer-cited-page', { docsName: 'screenshot-viewer.png' });
    expect(errors).toEqual([]);
  });

  it('steps to the next cited page and back, highlighting that page’s part of the quote', async () => {
    const { page, errors } = await openAnalyzer();
    await page
      .locator(`#answers-body .q-row[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page="2"]`)
      .click();
    await waitForPage(page, 2);
    expect(await page.locator('#document-panel .viewer-prev').isDisabled()).toBe(true);

    // Keyboard: focus the Next button and press Enter.
    await page.locator('#document-panel .viewer-next').focus();
    await page.keyboard.press('Enter');
    await waitForPage(page, 4);
    expect(await viewerRoot(page).getAttribute('data-quote-status')).toBe('full');
    const { highlights, spans } = await highlightAndSpanBoxes(page, 'ASTM D790 on samples');
    expect(highlights.some((h) => spans.some((s) => overlaps(h, s)))).toBe(true);
    expect(await page.locator('#document-panel .viewer-next').isDisabled()).toBe(true);

    await page.locator('#document-panel .viewer-prev').click();
    await waitForPage(page, 2);
    // Escape closes the panel and gives focus back to the citation that opened it.
    await page.locator('#document-panel .viewer-fit').focus();
    await page.keyboard.press('Escape');
    await page.locator('#document-panel').waitFor({ state: 'hidden' });
    expect(
      await page.evaluate<string | null>(
        "document.activeElement && document.activeElement.getAttribute('data-cite-page')",
      ),
    ).toBe('2');
    // Reopened after the closed panel has settled (a hidden viewer must not re-render, nor leave a cancelled
    // render's rejection uncaught), from the keyboard.
    await page.waitForTimeout(500);
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate<string | null>(
        "document.activeElement && document.activeElement.getAttribute('data-cite-page')",
      ),
    ).toBe('4');
    await page.keyboard.press('Enter');
    await waitForPage(page, 4);
    expect(await viewerRoot(page).getAttribute('data-quote-status')).toBe('full');
    expect(errors).toEqual([]);
  });

  it('zooms in and out: the canvas grows and shrinks, and the highlight follows the text', async () => {
    const { page, errors } = await openAnalyzer();
    await page
      .locator(`#answers-body .q-row[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page="2"]`)
      .click();
    await waitForPage(page, 2);
    const canvas = page.locator('#document-panel canvas.viewer-canvas');
    const before = (await canvas.boundingBox())!;
    const scaleBefore = Number(await viewerRoot(page).getAttribute('data-scale'));

    await page.locator('#document-panel .viewer-zoom-in').click();
    await expect
      .poll(async () => Number(await viewerRoot(page).getAttribute('data-scale')))
      .toBeGreaterThan(scaleBefore);
    await waitForPage(page, 2);
    const zoomed = (await page.locator('#document-panel canvas.viewer-canvas').boundingBox())!;
    expect(zoomed.width).toBeGreaterThan(before.width * 1.2);
    const { highlights, spans } = await highlightAndSpanBoxes(page, 'polyester resin system');
    expect(highlights.some((h) => spans.some((s) => overlaps(h, s)))).toBe(true);

    await page.locator('#document-panel .viewer-zoom-out').click();
    await page.locator('#document-panel .viewer-zoom-out').click();
    await expect
      .poll(async () => (await page.locator('#document-panel canvas.viewer-canvas').boundingBox())!.width)
      .toBeLessThan(before.width * 0.9);
    await page.locator('#document-panel .viewer-fit').click();
    await expect
      .poll(async () => Math.round((await page.locator('#document-panel canvas.viewer-canvas').boundingBox())!.width))
      .toBe(Math.round(before.width));
    // Fitted to the width, the page follows the panel when the window narrows.
    await page.setViewportSize({ width: 1100, height: 800 });
    await expect
      .poll(async () => (await page.locator('#document-panel canvas.viewer-canvas').boundingBox())!.width)
      .toBeLessThan(before.width * 0.9);
    await waitForPage(page, 2);
    const narrowed = await highlightAndSpanBoxes(page, 'polyester resin system');
    expect(narrowed.highlights.some((h) => narrowed.spans.some((s) => overlaps(h, s)))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('renders with no CSP violation and fetches nothing from another site', async () => {
    const { page, errors } = await openAnalyzer();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    await page.evaluate(
      `document.addEventListener('securitypolicyviolation', (e) => console.error('Refused to (securitypolicyviolation) ' + e.violatedDirective + ' ' + e.blockedURI))`,
    );
    await page
      .locator(`#answers-body .q-row[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page="4"]`)
      .click();
    await waitForPage(page, 4);
    await page.locator('#document-panel .viewer-zoom-in').click();
    await waitForPage(page, 4);
    const csp = (await page.request.get(`${server.baseUrl}/analyzer`)).headers()['content-security-policy'] ?? '';
    expect(csp).toContain("worker-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    const pdfjsRequests = await page.evaluate<string[]>(
      "performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/vendor/pdfjs/'))",
    );
    expect(pdfjsRequests.some((n) => n.endsWith('/build/pdf.min.mjs'))).toBe(true);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]); // includes any request that left 127.0.0.1
  });

  it('shows an image-only page alone with a note, and says when a quote is not on the page', async () => {
    const { page, errors } = await openAnalyzer();
    await page
      .locator(`#answers-body .q-row[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page="2"]`)
      .click();
    await waitForPage(page, 2);
    // The module's own API, as another part of the page would use it.
    await page.evaluate(`(async () => {
      const { createDocumentViewer } = await import('/static/viewer/document-viewer.js');
      const host = document.createElement('div');
      host.id = 'api-viewer';
      document.body.append(host);
      window.apiViewer = createDocumentViewer(host);
      await window.apiViewer.open({ documentUrl: '/api/document/${sessionId}', page: 5, quote: 'warrant the work for two years',
        pages: [5, { page: 3, quote: 'not a sentence of this document at all' }] });
    })()`);
    const apiRoot = page.locator('#api-viewer .document-viewer');
    expect(await apiRoot.getAttribute('data-quote-status')).toBe('no-text');
    expect(await page.locator('#api-viewer .viewer-message').innerText()).toMatch(/no text layer/);
    expect(await page.locator('#api-viewer canvas.viewer-canvas').count()).toBe(1);
    await page.evaluate('window.apiViewer.prev()');
    expect(await apiRoot.getAttribute('data-page')).toBe('3');
    expect(await apiRoot.getAttribute('data-quote-status')).toBe('none');
    expect(await page.locator('#api-viewer .viewer-message').innerText()).toMatch(/not found on this page/);
    expect(await page.locator('#api-viewer [data-quote-highlight]').count()).toBe(0);
    await page.evaluate('window.apiViewer.destroy()');
    expect(await page.locator('#api-viewer .document-viewer').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('opens full-screen with a close button on a phone', async () => {
    const { page, errors } = await openAnalyzer({ width: 390, height: 844 });
    await page
      .locator(`#answers-body .q-row[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page="2"]`)
      .click();
    await waitForPage(page, 2);
    const box = (await page.locator('#document-panel').boundingBox())!;
    expect(box.x).toBe(0);
    expect(box.width).toBe(390);
    expect(await page.locator('[data-quote-highlight]').count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'viewer-phone');
    await page.getByRole('button', { name: 'Close the document' }).click();
    await page.locator('#document-panel').waitFor({ state: 'hidden' });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
  });

  it('opens the viewer from the admin detail too (an admin sees any user’s document)', async () => {
    const { page, context, errors } = await openPage(browser);
    opened.push({ context, page, errors, dialogs: [] });
    if (withUsers) {
      const r = await context.request.post(`${server.baseUrl}/api/authenticate`, {
        data: ADMIN,
        headers: { origin: server.baseUrl },
      });
      expect(r.status()).toBe(200);
    }
    await page.goto(`${server.baseUrl}/admin?session=${sessionId}`);
    await page.locator(`#detail-answers tr[data-question-id="${QUOTED_QUESTION}"] button[data-cite-page="4"]`).click();
    await waitForPage(page, 4);
    expect(await viewerRoot(page).getAttribute('data-quote-status')).toBe('full');
    expect(await page.locator('#document-panel [data-quote-highlight]').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it.skipIf(!withUsers)('lets another user fetch neither the document nor its page', async () => {
    const { context, page, errors } = await openPage(browser);
    opened.push({ context, page, errors, dialogs: [] });
    await signIn(context, 'bob');
    const own = await context.request.get(`${server.baseUrl}/api/document/${sessionId}`);
    expect(own.status()).toBe(404);
    expect(((await own.json()) as { code: string }).code).toBe('SESSION_NOT_FOUND');
    // In the page, the viewer says so instead of rendering anything.
    await page.goto(`${server.baseUrl}/analyzer`);
    await page.evaluate(`(async () => {
      const { createDocumentViewer } = await import('/static/viewer/document-viewer.js');
      const host = document.createElement('div');
      host.id = 'api-viewer';
      document.body.append(host);
      await createDocumentViewer(host).open({ documentUrl: '/api/document/${sessionId}', page: 2, quote: 'polyester resin' });
    })()`);
    expect(await page.locator('#api-viewer .document-viewer').getAttribute('data-viewer-state')).toBe('error');
    expect(await page.locator('#api-viewer .viewer-message').innerText()).toMatch(/cannot be shown/);
    expect(await page.locator('#api-viewer canvas').count()).toBe(0);
    // Signed out: 401, not the PDF.
    const anonymous = await browser.newContext();
    try {
      expect((await anonymous.request.get(`${server.baseUrl}/api/document/${sessionId}`)).status()).toBe(401);
    } finally {
      await anonymous.close();
    }
  });
});
