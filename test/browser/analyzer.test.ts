/**
 * The analyzer page in a real browser against the real server: a full run with live rows and an Excel
 * download, a rejected upload, upload-once with estimates by document_id, a hostile file name, stop mid-run,
 * and reload mid-run. Slow runs use the llm
 * engine against the fake LLM server, which delays each reply.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  createPlantedAnswerHandler,
  readPrompt,
  startFakeLlmServer,
  type FakeLlmServer,
} from '../helpers/fake-llm-server.js';
import {
  PLANTED_ANSWERS,
  UI_TIMEOUT_MS,
  browserAvailable,
  createSpecPdf,
  findUnlabelledControls,
  getJson,
  launchBrowser,
  openPage,
  saveScreenshot,
  startTestServer,
  writeTempFile,
  type BrowserPage,
  type TestServer,
} from './browser-harness.js';

// Each fake LLM reply waits this long, so a run of the 10 default sections (one call each, concurrency 1)
// takes ~10 × this: long enough to stop or reload mid-run, short enough to keep the suite fast.
const SLOW_REPLY_MS = 1200;

const XSS_NAME = '<img src=x onerror=alert(1)>.pdf';

interface ResultsReply {
  status: string;
  result: { sections: Array<{ questions: Array<{ question_id: string; answer: string | null }> }> };
  statistics: { questions_answered: number; total_questions: number };
}

const run = browserAvailable() ? describe : describe.skip;

run('analyzer page', () => {
  let server: TestServer;
  let fake: FakeLlmServer;
  let browser: Browser;
  let tmp: string;
  let specPath: string;
  const opened: BrowserPage[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-browser-files-'));
    const pdf = await createSpecPdf();
    specPath = writeTempFile(tmp, 'example-spec.pdf', pdf);
    fake = await startFakeLlmServer();
    const planted = createPlantedAnswerHandler(PLANTED_ANSWERS);
    fake.setHandler(async (request) => {
      const reply = await planted(request);
      return 'content' in reply ? { ...reply, delayMs: SLOW_REPLY_MS } : reply;
    });
    [server, browser] = await Promise.all([
      startTestServer({
        LLM_BASE_URL: fake.url,
        LLM_MODEL: 'fake-model',
        LLM_API_KEY: 'test',
        LLM_CONCURRENCY: '1',
        LLM_MAX_RETRIES: '0',
      }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fake?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const p of opened.splice(0)) await p.context.close();
  });

  async function open(viewport?: { width: number; height: number }): Promise<BrowserPage> {
    const p = await openPage(browser, viewport);
    opened.push(p);
    await p.page.goto(`${server.baseUrl}/analyzer`);
    await p.page.locator('#sections-list input[type=checkbox]').first().waitFor();
    return p;
  }

  function sessionIdOf(page: Page): string {
    const id = new URL(page.url()).searchParams.get('session');
    if (!id) throw new Error(`no session in ${page.url()}`);
    return id;
  }

  async function expectNoPendingRows(page: Page): Promise<void> {
    expect(await page.locator('#answers-body .q-row[data-state=pending]').count()).toBe(0);
    const tableText = await page.locator('#answers-body').innerText();
    expect(tableText).not.toMatch(/Pending|Analyzing/);
  }

  it('runs an analysis from upload to a completed banner and downloads the Excel report', async () => {
    const { page, errors, dialogs } = await open();
    await expect(page.locator('#sections-list input[type=checkbox]:checked').count()).resolves.toBe(10);
    expect(await page.isDisabled('#start-button')).toBe(true); // no file yet
    expect(await page.isDisabled('#stop-button')).toBe(true);
    expect(await findUnlabelledControls(page)).toEqual([]);

    await page.setInputFiles('#pdf-input', specPath);
    await expect(page.locator('#pdf-chosen').innerText()).resolves.toContain('example-spec.pdf');
    // Preflight estimate: 4 pages, 100 questions.
    await page.locator('#estimate dd').first().filter({ hasText: '4' }).waitFor();
    expect(await page.locator('#estimate').innerText()).toContain('100');
    expect(await page.isDisabled('#start-button')).toBe(false);

    await page.click('#start-button');
    await page.waitForURL(/\/analyzer\?session=/);
    const sessionId = sessionIdOf(page);
    // Every question has a row from the start.
    await page.locator('#answers-body .q-row[data-question-id]').nth(99).waitFor({ state: 'attached' });
    await page.locator('#banner.banner-ok').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.locator('#banner').innerText()).toMatch(/^Complete/);

    // The table matches the results endpoint exactly (the truth), with nothing left pending.
    const results = await getJson<ResultsReply>(`${server.baseUrl}/api/results/${sessionId}`);
    expect(results.status).toBe('completed');
    await expectNoPendingRows(page);
    expect(await page.locator('#answers-body .q-row[data-question-id]').count()).toBe(
      results.statistics.total_questions,
    );
    expect(await page.locator('#answers-body .q-row[data-state=answered]').count()).toBe(
      results.statistics.questions_answered,
    );
    expect(results.statistics.questions_answered).toBeGreaterThan(0);
    const firstAnswered = results.result.sections.flatMap((s) => s.questions).find((q) => q.answer !== null)!;
    const row = page.locator(`#answers-body .q-row[data-question-id="${firstAnswered.question_id}"]`);
    expect(await row.locator('.answer-text').first().innerText()).toBe(firstAnswered.answer);
    // Page citations open the PDF viewer beside the results (test/browser/document-viewer.test.ts).
    const pageCite = row.locator('.page-links button[data-cite-page]').first();
    expect(await pageCite.getAttribute('data-cite-document')).toBe(`/api/document/${sessionId}`);
    expect(await pageCite.getAttribute('data-cite-page')).toMatch(/^\d+$/);

    // Buttons after the run: Start again possible, Stop not, every export present.
    expect(await page.isDisabled('#start-button')).toBe(false);
    expect(await page.isDisabled('#stop-button')).toBe(true);
    for (const format of ['xlsx', 'csv', 'json', 'md', 'docx']) {
      expect(await page.locator(`#exports a[data-format=${format}]`).getAttribute('href')).toBe(
        `/api/export/${sessionId}?format=${format}`,
      );
    }
    expect(await findUnlabelledControls(page)).toEqual([]); // including the run panel's controls
    // The "Answered" filter shows exactly the answered rows.
    await page.selectOption('#filter-answer', 'answered');
    await page
      .locator('#queue-count', { hasText: `Showing ${results.statistics.questions_answered} of 100` })
      .waitFor();
    expect(await page.locator('#answers-body .q-row[data-question-id]:visible').count()).toBe(
      results.statistics.questions_answered,
    );
    await saveScreenshot(page, 'analyzer-completed', { docsName: 'screenshot-analyzer.png' });
    await page.selectOption('#filter-answer', '');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exports a[data-format=xlsx]')]);
    const saved = path.join(tmp, download.suggestedFilename());
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    expect(fs.statSync(saved).size).toBeGreaterThan(0);
    expect(fs.readFileSync(saved).subarray(0, 2).toString()).toBe('PK'); // an xlsx is a zip

    // Phone width: the page does not overflow sideways and the answers stack.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.locator('#run').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'analyzer-phone', { docsName: 'screenshot-analyzer-phone.png' });

    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('shows a rejected upload next to the file field and keeps Start disabled until a PDF is ready', async () => {
    const { page, errors } = await open();
    const fakePdf = writeTempFile(tmp, 'not-really.pdf', 'This is a plain text file wearing a .pdf name.\n');
    await page.setInputFiles('#pdf-input', fakePdf);
    // The file is checked when it is chosen (uploaded once), not when Start is pressed.
    await page.locator('#pdf-error:not([hidden])').waitFor();
    expect(await page.locator('#pdf-error').innerText()).toMatch(/pdf/i);
    expect(await page.isDisabled('#start-button')).toBe(true);
    expect(new URL(page.url()).searchParams.get('session')).toBeNull();
    expect(await page.locator('#run').isHidden()).toBe(true);

    // Choosing a real PDF clears the error and enables Start.
    await page.setInputFiles('#pdf-input', specPath);
    await page.locator('#pdf-error').waitFor({ state: 'hidden' });
    await page.locator('#start-button:enabled').waitFor();
    expect(errors).toEqual([]);
  });

  it('uploads the PDF once with a progress bar, then estimates and starts from its document_id on every form change', async () => {
    const { page, errors } = await open();
    const uploads: string[] = [];
    const estimates: Array<{ contentType: string; body: string }> = [];
    const analyses: Array<{ contentType: string; body: string }> = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (request.method() !== 'POST') return;
      const entry = { contentType: request.headers()['content-type'] ?? '', body: request.postData() ?? '' };
      if (url.pathname === '/api/documents') uploads.push(entry.contentType);
      else if (url.pathname === '/api/estimate') estimates.push(entry);
      else if (url.pathname === '/api/analyze') analyses.push(entry);
    });

    await page.setInputFiles('#pdf-input', specPath);
    await page.locator('#upload-status', { hasText: 'Ready: 4 pages' }).waitFor();
    expect(await page.locator('#upload-progress').isVisible()).toBe(true);
    expect(await page.getAttribute('#upload-progress', 'aria-valuenow')).toBe('100');
    await page.locator('#estimate dd').first().filter({ hasText: '4' }).waitFor();
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatch(/^multipart\/form-data/);

    // Form changes: a section unticked and ticked again, guardrails typed key by key, the engine switched.
    const firstSection = page.locator('#sections-list input[type=checkbox]').first();
    await firstSection.uncheck();
    await page.locator('#estimate dd', { hasText: /^90$/ }).waitFor(); // 9 sections × 10 questions
    await firstSection.check();
    await page.locator('#estimate dd', { hasText: /^100$/ }).waitFor();
    await page.locator('#guardrails-input').pressSequentially('Only 8-24 inch mains.', { delay: 20 });
    await page.selectOption('#engine-select', 'llm');
    await page.locator('#estimate dt', { hasText: 'LLM calls' }).waitFor();
    await page.selectOption('#engine-select', 'extractive');
    await page.locator('#estimate dd', { hasText: 'none (offline engine)' }).waitFor();

    await page.locator('#start-button:enabled').waitFor();
    await page.click('#start-button');
    await page.waitForURL(/\/analyzer\?session=/);
    await page.locator('#banner.banner-ok').waitFor({ timeout: UI_TIMEOUT_MS });

    // One upload in all; every estimate and the start named the uploaded document and carried no file.
    expect(uploads).toHaveLength(1);
    const documentId = (JSON.parse(estimates[0]!.body) as { document_id: string }).document_id;
    expect(documentId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(estimates.length).toBeGreaterThanOrEqual(4);
    // Debounced: typing 21 characters did not ask for 21 estimates.
    expect(estimates.length).toBeLessThan(12);
    for (const request of [...estimates, ...analyses]) {
      expect(request.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(request.body)).toMatchObject({ document_id: documentId });
    }
    expect(analyses).toHaveLength(1);
    expect(JSON.parse(analyses[0]!.body)).toMatchObject({
      document_id: documentId,
      engine: 'extractive',
      guardrails: 'Only 8-24 inch mains.',
    });
    const stored = await getJson<{ result: { document_name: string; total_pages: number } }>(
      `${server.baseUrl}/api/results/${sessionIdOf(page)}`,
    );
    expect(stored.result).toMatchObject({ document_name: 'example-spec.pdf', total_pages: 4 });
    expect(errors).toEqual([]);
  });

  it('validates an uploaded question config, lists each problem by path and offers its sections', async () => {
    const { page, errors } = await open();
    await page.setInputFiles('#pdf-input', specPath);
    await page.locator('#start-button:enabled').waitFor();

    // Section selection gates Start.
    await page.click('#sections-none');
    expect(await page.isDisabled('#start-button')).toBe(true);
    expect(await page.locator('#sections-error').innerText()).toMatch(/at least one section/i);
    await page.click('#sections-all');
    await page.locator('#start-button:enabled').waitFor();

    const section = (type: string) => ({
      section_id: 'liner',
      section_name: 'Liner <b>checks</b>',
      description: 'Liner questions',
      questions: [
        { id: 'L1', text: 'What is the minimum liner thickness?', required: true, expected_type: type },
        { id: 'L2', text: 'Which ASTM standard applies to the liner?', required: true, expected_type: 'string' },
      ],
    });
    const badConfig = writeTempFile(
      tmp,
      'bad-config.json',
      JSON.stringify({ config_name: 'Bad', version: '1', description: 'x', sections: [section('colour')] }),
    );
    await page.setInputFiles('#config-input', badConfig);
    await page.locator('#config-error:not([hidden])').waitFor();
    expect(await page.locator('#config-error li code').allInnerTexts()).toEqual([
      'sections[0].questions[0].expected_type',
    ]);
    expect(await page.locator('#config-error').innerText()).toContain('colour');
    expect(await page.isDisabled('#start-button')).toBe(true);

    const goodConfig = writeTempFile(
      tmp,
      'liner-config.json',
      JSON.stringify({ config_name: 'Liner', version: '1', description: 'x', sections: [section('technical_spec')] }),
    );
    await page.setInputFiles('#config-input', goodConfig);
    await page.locator('#config-error').waitFor({ state: 'hidden' });
    await page.locator('#sections-list label', { hasText: 'Liner <b>checks</b>' }).waitFor(); // shown as text
    expect(await page.locator('#sections-list input[type=checkbox]').count()).toBe(1);
    await page.locator('#estimate dd', { hasText: /^2$/ }).waitFor(); // 2 questions
    await page.locator('#start-button:enabled').waitFor();

    await page.click('#config-reset');
    expect(await page.locator('#sections-list input[type=checkbox]:checked').count()).toBe(10);
    expect(errors).toEqual([]);
  });

  it('shows a hostile file name as text and never creates its markup', async () => {
    const { page, errors, dialogs } = await open();
    const hostile = writeTempFile(tmp, XSS_NAME, await createSpecPdf());
    await page.setInputFiles('#pdf-input', hostile);
    await page.getByText(XSS_NAME, { exact: false }).first().waitFor();
    await page.locator('#start-button:enabled').waitFor();
    await page.click('#start-button');
    await page.locator('#banner.banner-ok').waitFor();
    expect(await page.locator('#statistics').innerText()).toContain(XSS_NAME);

    const admin = await openPage(browser);
    opened.push(admin);
    await admin.page.goto(`${server.baseUrl}/admin`);
    await admin.page.locator('#sessions-body td.pdf-cell', { hasText: XSS_NAME }).first().waitFor();

    for (const p of [page, admin.page]) expect(await p.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(admin.dialogs).toEqual([]);
    expect([...errors, ...admin.errors]).toEqual([]);
  });

  it('stops a run midway and shows a partial banner with exports', async () => {
    const { page, errors } = await open();
    await page.setInputFiles('#pdf-input', specPath);
    await page.selectOption('#engine-select', 'llm');
    // The llm estimate names calls and cost before anything is spent.
    await page.locator('#estimate dt', { hasText: 'LLM calls' }).waitFor();
    await page.locator('#start-button:enabled').waitFor();
    await page.click('#start-button');
    await page.waitForURL(/session=/);

    // Rows go from pending to answered live, from the event stream.
    await page.locator('#answers-body .q-row[data-question-id=Q61][data-state=pending]').waitFor();
    await page.locator('#answers-body .q-row[data-question-id=Q1][data-state=answered]').waitFor();
    expect(await page.locator('#answers-body .q-row[data-question-id=Q1] .answer-text').innerText()).toBe(
      PLANTED_ANSWERS.Q1,
    );
    expect(await page.isDisabled('#stop-button')).toBe(false);
    expect(await page.isDisabled('#start-button')).toBe(true); // a run is in progress
    expect(Number(await page.locator('#progress-bar').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await saveScreenshot(page, 'analyzer-running');

    await page.click('#stop-button');
    await page.locator('#banner.banner-warn').waitFor();
    expect(await page.locator('#banner').innerText()).toMatch(/^Partial/);
    await expectNoPendingRows(page);
    expect(await page.locator('#answers-body .q-row[data-question-id=Q1][data-state=answered]').count()).toBe(1);
    // Q61 was never reached before the stop: not examined, not "not found".
    expect(await page.locator('#answers-body .q-row[data-question-id=Q61]').getAttribute('data-state')).toBe(
      'not-examined',
    );
    expect(await page.locator('#answers-body .q-row[data-question-id=Q61] .not-examined').innerText()).toBe(
      'Not examined',
    );
    expect(await page.isDisabled('#stop-button')).toBe(true);
    expect(await page.isDisabled('#start-button')).toBe(false);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exports a[data-format=csv]')]);
    const saved = path.join(tmp, `partial-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toMatch(/partial/i);
    expect(fs.readFileSync(saved, 'utf8')).toContain(PLANTED_ANSWERS.Q1);
    expect(errors).toEqual([]);
  });

  it('reconnects to a running analysis after a reload and shows the answers so far', async () => {
    // Hold the run after the warranty section (Q61) until the test is done, so it is surely still running.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const planted = createPlantedAnswerHandler(PLANTED_ANSWERS);
    fake.setHandler(async (request) => {
      if (readPrompt(request).questions.some((q) => q.id === 'Q71')) await held;
      const reply = await planted(request);
      return 'content' in reply ? { ...reply, delayMs: SLOW_REPLY_MS } : reply;
    });
    try {
      await checkReloadMidRun();
    } finally {
      release();
    }
  });

  async function checkReloadMidRun(): Promise<void> {
    const { page, errors } = await open();
    await page.setInputFiles('#pdf-input', specPath);
    await page.selectOption('#engine-select', 'llm');
    await page.locator('#start-button:enabled').waitFor();
    await page.click('#start-button');
    await page.waitForURL(/session=/);
    const sessionId = sessionIdOf(page);
    await page.locator('#answers-body .q-row[data-question-id=Q1][data-state=answered]').waitFor();

    await page.reload();
    expect(sessionIdOf(page)).toBe(sessionId);
    // Everything so far is back at once, and the stream continues: a later section's answer arrives live.
    await page.locator('#answers-body .q-row[data-question-id=Q1][data-state=answered]').waitFor();
    expect(await page.locator('#banner').innerText()).toMatch(/^(Running|Queued)/);
    expect(await page.isDisabled('#stop-button')).toBe(false);
    await page.locator('#answers-body .q-row[data-question-id=Q61][data-state=answered]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#progress-step').innerText()).not.toBe('');

    // The same link opened elsewhere (a fresh context) shows the same run.
    const other = await openPage(browser);
    opened.push(other);
    await other.page.goto(`${server.baseUrl}/analyzer?session=${sessionId}`);
    await other.page.locator('#answers-body .q-row[data-question-id=Q61][data-state=answered]').waitFor();

    await page.click('#stop-button');
    await page.locator('#banner.banner-warn').waitFor();
    await other.page.locator('#banner.banner-warn').waitFor(); // the other viewer sees the stop too
    await expectNoPendingRows(other.page);
    expect([...errors, ...other.errors]).toEqual([]);
  }
});
