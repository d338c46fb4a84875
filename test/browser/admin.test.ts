/**
 * The admin page in a real browser against the real server: 27 sessions created through the API, then
 * filter, search, pagination, detail and delete (through the <dialog>), and a check that rapid refreshes
 * never show more rows than one page or the same session twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  browserAvailable,
  createSpecPdf,
  findUnlabelledControls,
  getJson,
  launchBrowser,
  openPage,
  saveScreenshot,
  startAnalysisViaApi,
  startTestServer,
  waitUntil,
  type BrowserPage,
  type TestServer,
} from './browser-harness.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server.js';

// One more than a page (25) plus a stopped one: pagination has a second page, the status filter has a match.
const COMPLETED_COUNT = 26;
const SEARCH_MATCHES = 3;
// Seeding costs ~3 s per upload (PDF parse in a fresh worker thread) on an idle 2-core machine, several
// times that on a busy one: bounded, but with room.
const SEED_TIMEOUT_MS = 300_000;
// The llm run to stop is held this long by the fake model, so it is surely still running when stopped.
const HELD_REPLY_MS = 30_000;

const run = browserAvailable() ? describe : describe.skip;

run('admin page', () => {
  let server: TestServer;
  let fake: FakeLlmServer;
  let browser: Browser;
  let stoppedId: string;
  let ui: BrowserPage;

  beforeAll(async () => {
    fake = await startFakeLlmServer({ handler: () => ({ content: '{"answers":[]}', delayMs: HELD_REPLY_MS }) });
    [server, browser] = await Promise.all([
      startTestServer({ LLM_BASE_URL: fake.url, LLM_MODEL: 'fake-model', LLM_API_KEY: 'test', LLM_MAX_RETRIES: '0' }),
      launchBrowser(),
    ]);
    const tiny = await createTextPdf(['The liner thickness shall be 6.0 mm.']);
    for (let i = 1; i <= COMPLETED_COUNT; i++) {
      const name = i <= SEARCH_MATCHES ? `bridge-repair-${i}.pdf` : `sewer-lot-${String(i).padStart(2, '0')}.pdf`;
      await startAnalysisViaApi(server.baseUrl, tiny, name, { sections: JSON.stringify(['general_info']) });
    }
    // An llm run held by the fake model, stopped while queued or active, becomes partial.
    stoppedId = await startAnalysisViaApi(server.baseUrl, await createSpecPdf(), 'stopped-early.pdf', {
      engine: 'llm',
    });
    await fetch(`${server.baseUrl}/api/stop/${stoppedId}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    let statuses = '';
    await waitUntil(
      async () => {
        const list = await getJson<{ sessions: Array<{ status: string; pdf_filename: string }>; total: number }>(
          `${server.baseUrl}/api/admin/analyses?limit=100`,
        );
        statuses = list.sessions.map((s) => `${s.pdf_filename}:${s.status}`).join(', ');
        return (
          list.total === COMPLETED_COUNT + 1 &&
          list.sessions.every((s) => s.status !== 'queued' && s.status !== 'active')
        );
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'every seeded analysis to finish' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; statuses: ${statuses}`);
    });
    ui = await openPage(browser);
  }, SEED_TIMEOUT_MS);

  afterAll(async () => {
    await ui?.context.close();
    await browser?.close();
    await server?.stop();
    await fake?.close();
  });

  async function rowIds(page: Page): Promise<string[]> {
    return page
      .locator('#sessions-body tr[data-session-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id') ?? ''));
  }

  async function waitForPageInfo(page: Page, text: string): Promise<void> {
    await page.locator('#page-info', { hasText: text }).waitFor();
    await page.locator('#sessions-table:not([aria-busy])').waitFor();
  }

  it('lists every session newest first in pages of 25 with totals and a chart', async () => {
    const { page } = ui;
    await page.goto(`${server.baseUrl}/admin`);
    const total = COMPLETED_COUNT + 1;
    await waitForPageInfo(page, `1–25 of ${total}`);
    const firstPage = await rowIds(page);
    expect(firstPage).toHaveLength(25);
    expect(firstPage[0]).toBe(stoppedId); // the newest
    expect(await page.isDisabled('#prev-page')).toBe(true);
    expect(await page.locator('#sessions-body tr').first().innerText()).toContain('stopped-early.pdf');

    await page.click('#next-page');
    await waitForPageInfo(page, `26–${total} of ${total}`);
    const secondPage = await rowIds(page);
    expect(secondPage).toHaveLength(total - 25);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    expect(await page.isDisabled('#next-page')).toBe(true);
    await page.click('#prev-page');
    await waitForPageInfo(page, `1–25 of ${total}`);

    // Totals from /api/admin/stats, and one bar per day of the 30-day window (days without analyses are zero).
    const stats = await getJson<{ totals: { sessions: number }; per_day: Array<{ day: string; analyses: number }> }>(
      `${server.baseUrl}/api/admin/stats?days=30`,
    );
    expect(stats.totals.sessions).toBe(total);
    await page
      .locator('#totals dd', { hasText: String(total) })
      .first()
      .waitFor();
    expect(await page.locator('#chart-analyses svg rect.bar').count()).toBe(30);
    expect(await page.locator('#chart-cost svg rect.bar').count()).toBe(30);
    // Today's bar carries today's count in its tooltip.
    const today = stats.per_day.at(-1)!;
    expect(await page.locator('#chart-analyses svg rect.bar title').last().textContent()).toBe(
      `${today.day}: ${today.analyses}`,
    );
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'admin', { docsName: 'screenshot-admin.png' });
    expect(await findUnlabelledControls(page)).toEqual([]);
    expect(ui.errors).toEqual([]);
  });

  it('filters by status and searches by file name, keeping only the latest answer', async () => {
    const { page } = ui;
    await page.goto(`${server.baseUrl}/admin`);
    await waitForPageInfo(page, 'of 27');

    await page.selectOption('#status-filter', 'partial');
    await waitForPageInfo(page, '1–1 of 1');
    expect(await rowIds(page)).toEqual([stoppedId]);
    await page.selectOption('#status-filter', 'failed');
    await waitForPageInfo(page, '0–0 of 0');
    expect(await page.locator('#sessions-body').innerText()).toContain('No analyses match');
    await page.selectOption('#status-filter', 'completed');
    await waitForPageInfo(page, `1–25 of ${COMPLETED_COUNT}`);

    // Typing fast fires one debounced search; rapid refreshes in between never duplicate or overflow rows.
    await page.fill('#search-input', '');
    await page.locator('#search-input').pressSequentially('bridge', { delay: 30 });
    for (let i = 0; i < 4; i++) await page.click('#refresh-button');
    await waitForPageInfo(page, `1–${SEARCH_MATCHES} of ${SEARCH_MATCHES}`);
    const ids = await rowIds(page);
    expect(ids).toHaveLength(SEARCH_MATCHES);
    expect(new Set(ids).size).toBe(SEARCH_MATCHES);
    const names = await page.locator('#sessions-body td.pdf-cell').allInnerTexts();
    expect(names.every((n) => n.startsWith('bridge-repair-'))).toBe(true);
    expect(ui.errors).toEqual([]);
  });

  it('opens a detail view with answers, events and exports, and deletes after confirming in a dialog', async () => {
    const { page } = ui;
    await page.goto(`${server.baseUrl}/admin`);
    await waitForPageInfo(page, 'of 27');
    const [viaKeyboard, target] = (await rowIds(page)) as [string, string];
    // Keyboard: focus a row's id link and press Enter; Back returns to the list.
    await page.focus(`#sessions-body tr[data-session-id="${viaKeyboard}"] a.session-link`);
    await page.keyboard.press('Enter');
    await page.locator('#detail-summary', { hasText: viaKeyboard }).waitFor();
    await page.click('#detail-close');
    await waitForPageInfo(page, 'of 27');
    // Mouse: a click anywhere on the row.
    await page.click(`#sessions-body tr[data-session-id="${target}"] td.pdf-cell`);
    await page.waitForURL(new RegExp(`/admin\\?session=${target}$`));
    await page.locator('#detail-events li[data-event=analysis_complete]', { hasText: 'Analysis complete' }).waitFor();
    expect(await page.locator('#detail-summary').innerText()).toContain(target);
    expect(await page.locator('#detail-answers tr[data-question-id]').count()).toBe(10); // general_info only
    expect(await page.locator('#detail-exports a[data-format=docx]').getAttribute('href')).toBe(
      `/api/export/${target}?format=docx`,
    );
    expect(await page.locator('#detail-stop').isHidden()).toBe(true); // finished: nothing to stop

    // Cancel (or Escape) keeps it.
    await page.click('#detail-delete');
    await page.locator('#delete-dialog[open]').waitFor();
    await page.click('#delete-cancel');
    await page.locator('#delete-dialog').waitFor({ state: 'hidden' });
    await page.click('#detail-delete');
    await page.locator('#delete-dialog[open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#delete-dialog').waitFor({ state: 'hidden' });
    expect((await fetch(`${server.baseUrl}/api/admin/analysis/${target}`)).status).toBe(200);

    // Confirm deletes it: back to the list, one fewer.
    await page.click('#detail-delete');
    await page.locator('#delete-dialog[open]').waitFor();
    await page.click('#delete-confirm');
    await page.waitForURL(/\/admin$/);
    await waitForPageInfo(page, 'of 26');
    expect(await rowIds(page)).not.toContain(target);
    expect((await fetch(`${server.baseUrl}/api/admin/analysis/${target}`)).status).toBe(404);

    // A detail link opened directly works too (and Back returns to the list).
    await page.goto(`${server.baseUrl}/admin?session=${stoppedId}`);
    await page.locator('#detail-summary', { hasText: 'stopped-early.pdf' }).waitFor();
    await page.click('#detail-close');
    await waitForPageInfo(page, 'of 26');
    expect(ui.errors).toEqual([]);
  });
});
