/**
 * The admin page with sign-in on (AUTH=on): the list and the detail name each analysis's owner by email, the
 * detail's event timeline reads as words and facts (not raw key=value pairs), and the delete dialog names the
 * document it would delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  browserAvailable,
  createSpecPdf,
  getJson,
  launchBrowser,
  openPage,
  startTestServer,
  waitUntil,
  type TestServer,
} from './browser-harness.js';

const run = browserAvailable() ? describe : describe.skip;
const ADMIN = { email: 'chief@example.com', password: 'correct-horse-battery' };
const FILE_NAME = 'Penhold lift station.pdf';

run('admin page with owners', () => {
  let server: TestServer;
  let browser: Browser;
  let token = '';
  let sessionId = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ AUTH: 'on', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }),
      launchBrowser(),
    ]);
    const signIn = await fetch(`${server.baseUrl}/api/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ ...ADMIN, return_token: true }),
      signal: AbortSignal.timeout(15_000),
    });
    token = ((await signIn.json()) as { token: string }).token;
    const form = new FormData();
    form.append('sections', JSON.stringify(['general_info']));
    form.append('file', new Blob([new Uint8Array(await createSpecPdf())], { type: 'application/pdf' }), FILE_NAME);
    const started = await fetch(`${server.baseUrl}/api/analyze`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
    sessionId = ((await started.json()) as { session_id: string }).session_id;
    await waitUntil(
      async () => {
        const r = await getJson<{ status: string }>(`${server.baseUrl}/api/results/${sessionId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return r.status === 'completed';
      },
      { timeoutMs: 60_000, what: 'the analysis to complete' },
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows owner emails, a readable event timeline and names the document in the delete dialog', async () => {
    const { page, context, errors } = await openPage(browser);
    // Signing in through the context sets the httpOnly cookie for the page.
    const signIn = await context.request.post(`${server.baseUrl}/api/authenticate`, {
      data: ADMIN,
      headers: { origin: server.baseUrl },
    });
    expect(signIn.ok()).toBe(true);
    await page.goto(`${server.baseUrl}/admin`);
    const row = page.locator(`#sessions-body tr[data-session-id="${sessionId}"]`);
    await row.waitFor();
    expect(await row.locator('td.owner-cell').innerText()).toBe(ADMIN.email);

    await row.locator('td.pdf-cell').click();
    await page.locator('#detail-summary', { hasText: ADMIN.email }).waitFor();
    const complete = page.locator('#detail-events li[data-event=analysis_complete]');
    await complete.waitFor();
    expect(await complete.locator('.event-title').innerText()).toBe('Analysis complete');
    expect(await complete.locator('.event-facts').innerText()).toMatch(/of 10 questions answered/);
    expect(await complete.locator('time').innerText()).toMatch(/^\d\d:\d\d:\d\d$/);
    const timeline = await page.locator('#detail-events').innerText();
    expect(timeline).toContain('PDF read');
    expect(timeline).toMatch(/4 pages/);
    expect(timeline).not.toMatch(/\w=\S/); // no raw key=value
    expect(timeline).not.toMatch(/analysis_complete|document_ingested/);

    await page.click('#detail-delete');
    await page.locator('#delete-dialog[open]').waitFor();
    expect(await page.locator('#delete-title').innerText()).toBe(`Delete the analysis of “${FILE_NAME}”?`);
    expect(await page.locator('#delete-text').innerText()).toContain(ADMIN.email);
    await page.click('#delete-cancel');
    await page.locator('#delete-dialog').waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
