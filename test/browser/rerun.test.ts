/**
 * Re-running what is weak, in a real browser against real servers: the review queue's "Re-run…" takes the
 * questions the filters show, skips the accepted one, and the page follows the pass live (its own progress
 * text) to its end, then marks the re-run rows "pass 2" and lists each one's earlier answer. Then the same with
 * the page served by one process and the pass executed by another process on the same PostgreSQL database:
 * the page's process has no run worker, so the pass waits queued until the other process starts and runs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServerProcess, type Child } from '../helpers/processes.js';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';
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
  type TestServer,
} from './browser-harness.js';

interface Question {
  question_id: string;
  answer: string | null;
  confidence: number | null;
}
interface ResultsReply {
  status: string;
  result: { sections: Array<{ section_id: string; questions: Question[] }> };
  session: { pass: number };
}
interface PassesReply {
  current_pass: number;
  passes: Array<{
    pass: number;
    status: string;
    question_ids: string[] | null;
    skipped: Array<{ question_id: string; reason: string }>;
  }>;
  history: Array<{ question_id: string; pass: number; answer: string | null; current: boolean }>;
}

const SERVER_START_TIMEOUT_MS = 90_000;
// A bound for a busy 2-core machine running a 4-page analysis, not a speed claim.
const ANALYSIS_TIMEOUT_MS = 90_000;

type Server = Child & { port: number; baseUrl: string };

const questionsOf = (r: ResultsReply): Question[] => r.result.sections.flatMap((s) => s.questions);

async function waitForStatus(baseUrl: string, sessionId: string, statuses: string[]): Promise<ResultsReply> {
  return waitUntil(
    async () => {
      const r = await getJson<ResultsReply>(`${baseUrl}/api/results/${sessionId}`);
      return statuses.includes(r.status) ? r : null;
    },
    { timeoutMs: ANALYSIS_TIMEOUT_MS, what: `the analysis to be ${statuses.join(' or ')}` },
  );
}

async function stopServer(server: Server): Promise<void> {
  server.kill('SIGTERM');
  const exited = await Promise.race([
    server.exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
  ]);
  if (!exited) server.kill('SIGKILL');
}

/** Record every text #progress-step shows from now on (in the page: a MutationObserver). */
async function recordProgressSteps(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__steps = [];
    const step = document.getElementById('progress-step');
    new MutationObserver(() => window.__steps.push(step.textContent || '')).observe(step, { childList: true, characterData: true, subtree: true });
  })()`);
}

const recordedSteps = (page: Page): Promise<string[]> => page.evaluate<string[]>('window.__steps');

/**
 * On the reopened session: show the answered questions, accept the first one with the keyboard, open the
 * Re-run panel and check what it says. Returns the ids to be re-run (the shown ones but the accepted one).
 */
async function filterAcceptAndOpenRerun(
  page: Page,
  results: ResultsReply,
): Promise<{ accepted: string; rerun: string[] }> {
  const answered = questionsOf(results).filter((q) => q.answer !== null);
  expect(answered.length).toBeGreaterThanOrEqual(3);
  await page.selectOption('#filter-answer', 'answered');
  await page.locator('#queue-count', { hasText: `Showing ${answered.length} of ` }).waitFor();
  const accepted = answered[0]!.question_id;
  await page.click('#review-title'); // keys are ignored while a filter has the focus
  await page.keyboard.press('j');
  await page.keyboard.press('a');
  await page.locator(`#answers-body .q-row[data-question-id="${accepted}"][data-review=accepted]`).waitFor();

  await page.click('#rerun-button');
  await page.locator('#rerun-panel').waitFor();
  const summary = await page.innerText('#rerun-summary');
  expect(summary).toContain(`${answered.length} questions shown by the filters`);
  expect(summary).toMatch(/Accepted and edited answers are skipped.*\(1 of these\)/);
  // The engines the server offers: the LLM is listed but cannot be chosen without a configured endpoint.
  expect(await page.locator('#rerun-engine option[value=extractive]').count()).toBe(1);
  expect(await page.locator('#rerun-engine option[value=llm]').isDisabled()).toBe(true);
  expect(await page.innerText('#rerun-submit')).toBe(`Re-run ${answered.length - 1} questions`);
  return { accepted, rerun: answered.slice(1).map((q) => q.question_id) };
}

/**
 * After the pass: the re-run rows say "pass 2", the accepted one and the unshown ones do not; earlier answers listed.
 */
async function expectPassMarkers(page: Page, before: ResultsReply, accepted: string, rerun: string[]): Promise<void> {
  await page.locator('#answers-body .pass-badge').first().waitFor();
  await waitUntil(async () => (await page.locator('#answers-body .pass-badge').count()) === rerun.length, {
    what: `${rerun.length} pass markers`,
  });
  for (const id of rerun)
    expect(await page.locator(`#answers-body .q-row[data-question-id="${id}"] .pass-badge`).innerText()).toBe('pass 2');
  expect(await page.locator(`#answers-body .q-row[data-question-id="${accepted}"] .pass-badge`).count()).toBe(0);
  await page.selectOption('#filter-answer', '');
  await waitUntil(async () => (await page.locator('#answers-body .q-row').count()) === questionsOf(before).length, {
    what: 'every question shown',
  });
  expect(await page.locator('#answers-body .pass-badge').count()).toBe(rerun.length);

  // The detail of a re-run question lists the answer its earlier pass gave.
  const id = rerun[0]!;
  const original = questionsOf(before).find((q) => q.question_id === id)!;
  const row = page.locator(`#answers-body .q-row[data-question-id="${id}"]`);
  // (It may be open already: the cursor moved on to it after the accept.)
  if ((await row.locator('button[data-action=toggle]').getAttribute('aria-expanded')) !== 'true')
    await row.locator('button[data-action=toggle]').click();
  await row.locator('button[data-action=history]').click();
  const earlier = row.locator('.earlier-passes li[data-pass="1"]');
  await earlier.waitFor();
  expect(await earlier.innerText()).toContain(`Pass 1: ${original.answer}`);
  await row.locator('.review-history, .q-detail .hint').first().waitFor();
}

const run = browserAvailable() ? describe : describe.skip;

run('re-running the questions the review queue shows', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('re-runs the filtered questions as pass 2, follows it live and marks the re-run rows', async () => {
    const sessionId = await startAnalysisViaApi(server.baseUrl, await createSpecPdf(), 'rerun-spec.pdf');
    const before = await waitForStatus(server.baseUrl, sessionId, ['completed']);
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${server.baseUrl}/analyzer?session=${sessionId}`);
    await page.locator('#progress-step', { hasText: /^Complete/ }).waitFor();
    const { accepted, rerun } = await filterAcceptAndOpenRerun(page, before);

    await recordProgressSteps(page);
    await page.click('#rerun-submit');
    await page
      .locator('#rerun-notice', {
        hasText: `Pass 2 queued: ${rerun.length} questions with the extractive engine; 1 skipped`,
      })
      .waitFor();
    await page.locator('#progress-step', { hasText: /^Pass 2 complete: / }).waitFor();
    await page.locator('#banner', { hasText: 'Complete' }).waitFor();
    // Followed live: the pass's own events were shown on the way (not only its end).
    const steps = await recordedSteps(page);
    expect(steps.some((s) => s.startsWith(`Pass 2 started: re-running ${rerun.length} questions`))).toBe(true);
    expect(steps.some((s) => /^Window \d+ of \d+ done/.test(s) || s.startsWith('Analyzing'))).toBe(true);
    expect(steps.at(-1)).toMatch(/^Pass 2 complete: /);

    const passes = await getJson<PassesReply>(`${server.baseUrl}/api/rerun/${sessionId}`);
    expect(passes.current_pass).toBe(2);
    expect(passes.passes.find((p) => p.pass === 2)).toMatchObject({
      question_ids: rerun,
      skipped: [{ question_id: accepted, reason: 'accepted' }],
    });
    await expectPassMarkers(page, before, accepted, rerun);
    await saveScreenshot(page, 'rerun-pass-2');

    // A reload shows the markers from the server, not from the page's memory.
    await page.reload();
    await waitUntil(async () => (await page.locator('#answers-body .pass-badge').count()) === rerun.length, {
      what: 'the markers after a reload',
    });

    // On a 390-px phone the panel fits without sideways scrolling, and its controls are labelled.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('#rerun-button');
    await page.locator('#rerun-submit').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await findUnlabelledControls(page)).toEqual([]);
    await page.locator('#rerun-panel').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'rerun-panel-phone');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});

const withPostgres = postgresAvailable();
(browserAvailable() && withPostgres ? describe : describe.skip)(
  `a re-run pass executed by another process${withPostgres ? '' : ' [SKIPPED: PostgreSQL not reachable]'}`,
  () => {
    let browser: Browser;
    let database: { url: string; drop: () => Promise<void> };
    let dataDirs: string[] = [];
    const servers: Server[] = [];

    const start = async (env: NodeJS.ProcessEnv): Promise<Server> => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-rerun-'));
      dataDirs.push(dataDir);
      const s = await startServerProcess(
        { DATA_DIR: dataDir, DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...env },
        SERVER_START_TIMEOUT_MS,
      );
      servers.push(s);
      return s;
    };

    beforeAll(async () => {
      [database, browser] = await Promise.all([createEmptyPostgresDatabase(), launchBrowser()]);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      for (const s of servers) if (s.proc.exitCode === null) await stopServer(s);
      for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
      dataDirs = [];
      await database?.drop();
    });

    it('the page follows a pass that another process runs, and a second reviewer is told the analysis is running', async () => {
      // The worker process runs the first analysis, then goes away; the page's process never runs anything.
      let worker = await start({});
      const pageServer = await start({ WORKER_ENABLED: 'false' });
      const sessionId = await startAnalysisViaApi(pageServer.baseUrl, await createSpecPdf(), 'rerun-elsewhere.pdf');
      const before = await waitForStatus(pageServer.baseUrl, sessionId, ['completed']);
      await stopServer(worker);

      const { page, errors, context } = await openPage(browser);
      await page.goto(`${pageServer.baseUrl}/analyzer?session=${sessionId}`);
      await page.locator('#progress-step', { hasText: /^Complete/ }).waitFor();
      // A second reviewer, on the same finished analysis, with the panel open.
      const second = await openPage(browser);
      await second.page.goto(`${pageServer.baseUrl}/analyzer?session=${sessionId}`);
      await second.page.locator('#progress-step', { hasText: /^Complete/ }).waitFor();
      await second.page.click('#rerun-button');
      await second.page.locator('#rerun-submit:not([disabled])').waitFor();

      const { accepted, rerun } = await filterAcceptAndOpenRerun(page, before);
      await recordProgressSteps(page);
      await page.click('#rerun-submit');
      await page.locator('#rerun-notice', { hasText: 'Pass 2 queued' }).waitFor();
      // Nobody can run it yet: it waits, and the page says so.
      await page.locator('#banner', { hasText: 'Queued' }).waitFor();
      expect((await getJson<ResultsReply>(`${pageServer.baseUrl}/api/results/${sessionId}`)).status).toBe('queued');
      expect(await page.isDisabled('#rerun-button')).toBe(true);

      // The second reviewer's re-run is refused with the server's reason, shown as such.
      await second.page.click('#rerun-submit');
      await second.page.locator('#rerun-error', { hasText: 'The analysis is running' }).waitFor();
      expect(await second.page.getAttribute('#rerun-error', 'role')).toBe('alert');
      await second.context.close();

      // Reopened while the pass waits: it says so, and only the pass's questions are waiting for an answer.
      await page.reload();
      await page.locator('#banner', { hasText: 'Queued' }).waitFor();
      await page.locator('#progress-step', { hasText: `Pass 2 queued: ${rerun.length} questions to re-run` }).waitFor();
      const notFound = questionsOf(before).find((q) => q.answer === null)!;
      await page
        .locator(`#answers-body .q-row[data-question-id="${notFound.question_id}"][data-state=not-found]`)
        .waitFor();
      // (A re-run question keeps showing its answer until the pass replaces it.)
      await page.locator(`#answers-body .q-row[data-question-id="${rerun[0]}"][data-state=answered]`).waitFor();
      await page.locator(`#answers-body .q-row[data-question-id="${accepted}"][data-review=accepted]`).waitFor();
      await recordProgressSteps(page);

      // Another process starts and runs the pass; the page (served by the first) follows it live to its end.
      worker = await start({});
      await page.locator('#progress-step', { hasText: /^Pass 2 complete: / }).waitFor({ timeout: ANALYSIS_TIMEOUT_MS });
      await page.locator('#banner', { hasText: 'Complete' }).waitFor();
      const steps = await recordedSteps(page);
      expect(steps.some((s) => s.startsWith(`Pass 2 started: re-running ${rerun.length} questions`))).toBe(true);
      expect(steps.at(-1)).toMatch(/^Pass 2 complete: /);
      await expectPassMarkers(page, before, accepted, rerun);
      expect(errors).toEqual([]);
      await context.close();
    }, 300_000);
  },
);
