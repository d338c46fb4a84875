/**
 * A review made with the keyboard is in the database, not in the page or the server's memory: after the
 * server is stopped and started again on the same data (and port), a reload shows the edit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startServerProcess, type Child } from '../helpers/processes.js';
import {
  browserAvailable,
  createSpecPdf,
  getJson,
  launchBrowser,
  openPage,
  startAnalysisViaApi,
  waitUntil,
} from './browser-harness.js';

const run = browserAvailable() ? describe : describe.skip;
const SERVER_START_TIMEOUT_MS = 90_000;

type Server = Child & { port: number; baseUrl: string };

async function stopServer(server: Server): Promise<void> {
  server.kill('SIGTERM');
  const exited = await Promise.race([
    server.exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
  ]);
  if (!exited) server.kill('SIGKILL');
}

run('a review across a server restart', () => {
  let dataDir: string;
  let server: Server | null = null;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-review-restart-'));
    [server, browser] = await Promise.all([
      startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' }, SERVER_START_TIMEOUT_MS),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps an edit made with the keyboard after the server restarts', async () => {
    const first = server!;
    const sessionId = await startAnalysisViaApi(first.baseUrl, await createSpecPdf(), 'restart-spec.pdf');
    const results = await waitUntil(
      async () => {
        const r = await getJson<{
          status: string;
          result: { sections: Array<{ questions: Array<{ question_id: string }> }> };
        }>(`${first.baseUrl}/api/results/${sessionId}`);
        return r.status === 'completed' ? r : null;
      },
      { timeoutMs: 60_000, what: 'the analysis to complete' },
    );
    const firstId = results.result.sections[0]!.questions[0]!.question_id;
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${first.baseUrl}/analyzer?session=${sessionId}`);
    const row = page.locator(`#answers-body .q-row[data-question-id="${firstId}"]`);
    await row.waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('e');
    await row.locator('form.q-editor textarea').waitFor();
    const corrected = 'Example Creek Sewer Rehabilitation, Springfield (checked by hand)';
    await row.locator('form.q-editor textarea').fill(corrected);
    await row.locator('form.q-editor .edit-pages').fill('1');
    await row.locator('form.q-editor textarea').press('Control+Enter');
    await row.and(page.locator('[data-review=edited]')).waitFor();

    await stopServer(first);
    server = null;
    server = await startServerProcess(
      { DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', PORT: String(first.port) },
      SERVER_START_TIMEOUT_MS,
    );
    await page.reload();
    await row.and(page.locator('[data-review=edited]')).waitFor();
    expect(await row.locator('.q-answer .answer-text').innerText()).toBe(corrected);
    await page.locator('#review-counter', { hasText: /^1 of \d+ reviewed$/ }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
