/**
 * The analyzer's results as a review queue, in a real browser against the real server: a reopened session shows
 * its results (not the upload form), a non-PDF is refused at the picker, the estimate is on screen before Start
 * is enabled, filters and search narrow the questions, the page fits a 390-px phone, keys step through the
 * questions (and are ignored while typing), and a 1,000-question result loads and steps without rebuilding rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  writeTempFile,
  type BrowserPage,
  type TestServer,
} from './browser-harness.js';

interface Question {
  question_id: string;
  question: string;
  answer: string | null;
  confidence: number | null;
  answer_status: string;
  review?: { status: string } | null;
}
interface ResultsReply {
  status: string;
  result: { sections: Array<{ section_id: string; section_name: string; questions: Question[] }> };
  statistics: { questions_answered: number; total_questions: number };
}
interface QuestionConfig {
  config_name: string;
  version: string;
  description: string;
  sections: Array<{
    section_id: string;
    section_name: string;
    description: string;
    questions: Array<{ id: string; text: string; required: boolean; expected_type: string }>;
  }>;
}

// The largest config the server accepts (MAX_QUESTIONS): the default checklist ten times over.
const BIG_REPEATS = 10;
const PHONE = { width: 390, height: 844 };

const run = browserAvailable() ? describe : describe.skip;

run('analyzer review queue', () => {
  let server: TestServer;
  let browser: Browser;
  let tmp: string;
  let specPath: string;
  let sessionId: string;
  let bigSessionId: string;
  let results: ResultsReply;
  const opened: BrowserPage[] = [];

  async function waitForCompletion(id: string): Promise<ResultsReply> {
    return waitUntil(
      async () => {
        const r = await getJson<ResultsReply>(`${server.baseUrl}/api/results/${id}`);
        return r.status === 'completed' ? r : null;
      },
      { timeoutMs: 240_000, intervalMs: 500, what: `analysis ${id} to complete` },
    );
  }

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-review-files-'));
    const pdf = await createSpecPdf();
    specPath = writeTempFile(tmp, 'example-spec.pdf', pdf);
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    sessionId = await startAnalysisViaApi(server.baseUrl, pdf, 'example-spec.pdf');
    const { config } = await getJson<{ config: QuestionConfig }>(`${server.baseUrl}/api/config/questions`);
    const big: QuestionConfig = {
      ...config,
      config_name: 'Big checklist',
      sections: Array.from({ length: BIG_REPEATS }, (_, r) =>
        config.sections.map((s) => ({
          ...s,
          section_id: `${s.section_id}_${r}`,
          section_name: `${s.section_name} (${r + 1})`,
          questions: s.questions.map((q) => ({ ...q, id: `R${r}_${q.id}` })),
        })),
      ).flat(),
    };
    bigSessionId = await startAnalysisViaApi(server.baseUrl, pdf, 'big-spec.pdf', { config: JSON.stringify(big) });
    results = await waitForCompletion(sessionId);
    const bigResults = await waitForCompletion(bigSessionId);
    expect(bigResults.statistics.total_questions).toBe(1000);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const p of opened.splice(0)) await p.context.close();
  });

  async function open(url: string, viewport?: { width: number; height: number }): Promise<BrowserPage> {
    const p = await openPage(browser, viewport);
    opened.push(p);
    await p.page.goto(`${server.baseUrl}${url}`);
    return p;
  }

  const rows = (page: Page) => page.locator('#answers-body .q-row[data-question-id]');
  const currentId = (page: Page) =>
    page.locator('#answers-body .q-row[aria-current=true]').getAttribute('data-question-id');

  it('shows a reopened session’s results instead of the upload form, and offers a new analysis', async () => {
    const { page, errors } = await open(`/analyzer?session=${sessionId}`);
    await page.locator('#banner.banner-ok').waitFor();
    await rows(page).nth(99).waitFor();
    expect(await rows(page).count()).toBe(100);
    expect(await page.locator('#analyze-form').isHidden()).toBe(true);
    expect(await page.locator('#new-analysis').isVisible()).toBe(true);
    expect(await page.locator('#review-counter').innerText()).toBe('0 of 100 reviewed');
    // Ten sections, each with its answered/total.
    expect(await page.locator('#answers-body .q-section').count()).toBe(10);
    const first = results.result.sections[0]!;
    const answered = first.questions.filter((q) => q.answer !== null).length;
    expect(await page.locator(`.q-section[data-section-id="${first.section_id}"] .q-section-count`).innerText()).toBe(
      `${answered}/10 answered`,
    );
    // Collapsing a section hides its rows and keeps its count.
    await page.click(`.q-section[data-section-id="${first.section_id}"] .q-section-toggle`);
    expect(await page.locator(`.q-section[data-section-id="${first.section_id}"] .q-row`).count()).toBe(0);
    expect(
      await page.getAttribute(`.q-section[data-section-id="${first.section_id}"] .q-section-toggle`, 'aria-expanded'),
    ).toBe('false');
    await page.click(`.q-section[data-section-id="${first.section_id}"] .q-section-toggle`);
    expect(await page.locator(`.q-section[data-section-id="${first.section_id}"] .q-row`).count()).toBe(10);
    expect(await findUnlabelledControls(page)).toEqual([]);
    expect(await page.locator('#filters-toggle').isVisible()).toBe(false); // desktop: every filter is shown
    expect(await page.locator('#filter-section').isVisible()).toBe(true);

    await page.click('#new-analysis');
    await page.waitForURL(/\/analyzer$/);
    expect(await page.locator('#analyze-form').isVisible()).toBe(true);
    expect(await page.locator('#run').isHidden()).toBe(true);
    // Back returns to the session.
    await page.goBack();
    await rows(page).nth(99).waitFor();
    expect(await page.locator('#analyze-form').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('refuses a file that is not a PDF at the picker, without uploading it', async () => {
    const { page, errors } = await open('/analyzer');
    await page.locator('#sections-list input[type=checkbox]').first().waitFor();
    expect(await page.getAttribute('#pdf-input', 'accept')).toMatch(/application\/pdf/);
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/documents') uploads.push(request.url());
    });
    await page.setInputFiles('#pdf-input', writeTempFile(tmp, 'notes.txt', 'Minutes of the pre-bid meeting.\n'));
    await page.locator('#pdf-error:not([hidden])').waitFor();
    expect(await page.locator('#pdf-error').innerText()).toBe('“notes.txt” is not a PDF. Choose a PDF file (.pdf).');
    expect(await page.isDisabled('#start-button')).toBe(true);
    expect(await page.locator('#upload-progress').isHidden()).toBe(true);
    // A PDF afterwards is accepted and the error goes away.
    await page.setInputFiles('#pdf-input', specPath);
    await page.locator('#pdf-error').waitFor({ state: 'hidden' });
    await page.locator('#start-button:enabled').waitFor();
    expect(uploads).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('shows the parse (pages, OCR) and keeps Start disabled until the estimate is on screen', async () => {
    const { page, errors } = await open('/analyzer');
    await page.locator('#sections-list input[type=checkbox]').first().waitFor();
    // Hold every estimate until the test lets it through.
    let release = () => {};
    let held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/estimate', async (route) => {
      await held;
      await route.continue();
    });
    await page.setInputFiles('#pdf-input', specPath);
    await page.locator('#upload-status', { hasText: 'Ready: 4 pages' }).waitFor();
    expect(await page.locator('#upload-parse').innerText()).toMatch(/Pages\s+4\s+Read by OCR\s+none/);
    expect(await page.isDisabled('#start-button')).toBe(true); // parsed, but no estimate yet
    release();
    await page.locator('#estimate dd', { hasText: /^100$/ }).waitFor();
    await page.locator('#start-button:enabled').waitFor();
    // A changed option needs its own estimate before Start is possible again.
    held = new Promise<void>((resolve) => (release = resolve));
    await page.locator('#sections-list input[type=checkbox]').first().uncheck();
    expect(await page.isDisabled('#start-button')).toBe(true);
    release();
    await page.locator('#estimate dd', { hasText: /^90$/ }).waitFor();
    await page.locator('#start-button:enabled').waitFor();
    expect(errors).toEqual([]);
  });

  it('filters by section, answer status and confidence band, orders low confidence first, and searches', async () => {
    const { page, errors } = await open(`/analyzer?session=${sessionId}`);
    await rows(page).nth(99).waitFor();
    const all = results.result.sections.flatMap((s) => s.questions.map((q) => ({ ...q, section_id: s.section_id })));
    const answered = all.filter((q) => q.answer !== null);
    const ids = async () => rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-question-id')));

    const second = results.result.sections[1]!;
    await page.selectOption('#filter-section', second.section_id);
    await page.locator('#queue-count', { hasText: 'Showing 10 of 100' }).waitFor();
    expect(await ids()).toEqual(second.questions.map((q) => q.question_id));

    await page.selectOption('#filter-answer', 'not_found');
    const notFoundHere = second.questions.filter((q) => q.answer === null).map((q) => q.question_id);
    await page.locator('#queue-count', { hasText: `Showing ${notFoundHere.length} of 100` }).waitFor();
    expect(await ids()).toEqual(notFoundHere);
    expect(await page.locator('#answers-body .q-row:not([data-state=not-found])').count()).toBe(0);

    await page.click('#filter-clear');
    await page.locator('#queue-count', { hasText: /^100 questions$/ }).waitFor();

    // Confidence bands: the same cut points as the badge colours.
    for (const band of ['high', 'medium', 'low'] as const) {
      await page.selectOption('#filter-band', band);
      const expected = answered
        .filter((q) => (q.confidence! >= 0.8 ? 'high' : q.confidence! >= 0.5 ? 'medium' : 'low') === band)
        .map((q) => q.question_id);
      await page
        .locator('#queue-count', {
          hasText: expected.length === 100 ? '100 questions' : `Showing ${expected.length} of 100`,
        })
        .waitFor();
      expect((await ids()).sort()).toEqual([...expected].sort());
      for (const badge of await page.locator('#answers-body .q-row .badge[class*=confidence-]').all())
        expect(await badge.getAttribute('class')).toContain(`confidence-${band}`);
    }
    await page.selectOption('#filter-band', '');

    // Low confidence first: a flat list, answered questions by rising confidence, then the rest.
    await page.selectOption('#filter-order', 'confidence');
    await page.locator('#answers-body .q-rows.flat').waitFor();
    const ordered = await ids();
    const byConfidence = [...answered]
      .sort((a, b) => a.confidence! - b.confidence! || all.indexOf(a) - all.indexOf(b))
      .map((q) => q.question_id);
    expect(ordered.slice(0, answered.length)).toEqual(byConfidence);
    expect(ordered).toHaveLength(100);
    await page.selectOption('#filter-order', 'document');

    // Search over questions and answers, case-insensitive, every word must match.
    await page.fill('#filter-search', 'RESIN');
    const resin = all
      .filter((q) => `${q.question_id} ${q.question} ${q.answer ?? ''}`.toLowerCase().includes('resin'))
      .map((q) => q.question_id);
    await page.locator('#queue-count', { hasText: `Showing ${resin.length} of 100` }).waitFor();
    expect(await ids()).toEqual(resin);
    expect(resin).toContain('Q11');
    await page.fill('#filter-search', 'polyester system');
    await page.locator('#answers-body .q-row[data-question-id=Q11]').waitFor();
    await page.fill('#filter-search', 'no such words anywhere');
    await page.locator('#answers-body .q-empty', { hasText: 'No question matches' }).waitFor();
    await page.click('#filter-clear');
    await page.locator('#queue-count', { hasText: /^100 questions$/ }).waitFor();
    expect(await page.inputValue('#filter-search')).toBe('');
    expect(errors).toEqual([]);
  });

  it('steps through questions with j and k, shows the current one’s quote, and ignores keys while typing', async () => {
    const { page, errors } = await open(`/analyzer?session=${sessionId}`);
    await rows(page).nth(99).waitFor();
    const order = results.result.sections.flatMap((s) => s.questions);
    await page.keyboard.press('j');
    expect(await currentId(page)).toBe(order[0]!.question_id);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await currentId(page)).toBe(order[2]!.question_id);
    await page.keyboard.press('k');
    expect(await currentId(page)).toBe(order[1]!.question_id);
    // The current row is open: its quote and actions are shown.
    const current = page.locator('#answers-body .q-row[aria-current=true]');
    expect(await current.getAttribute('class')).toContain('open');
    expect(await current.locator('.q-actions button[data-action=accept]').count()).toBe(1);

    // Typing in the search box is text, not commands.
    await page.click('#filter-search');
    await page.keyboard.type('jk');
    expect(await currentId(page)).toBe(order[1]!.question_id);
    expect(await page.inputValue('#filter-search')).toBe('jk');
    await page.fill('#filter-search', '');

    // ? opens the help overlay; Escape closes it.
    await page.locator('#answers-body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('?');
    await page.locator('#help-dialog[open]').waitFor();
    expect(await page.locator('#help-dialog').innerText()).toContain('Next / previous question');
    await page.keyboard.press('Escape');
    await page.locator('#help-dialog').waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
  });

  it('reviews with the keyboard alone (accept, reject, edit), shows a conflicting review, and keeps it all after a reload', async () => {
    const reviewSession = await startAnalysisViaApi(server.baseUrl, await createSpecPdf(), 'review-me.pdf');
    const fresh = await waitForCompletion(reviewSession);
    const order = fresh.result.sections.flatMap((s) => s.questions);
    const { page, errors } = await open(`/analyzer?session=${reviewSession}`);
    await rows(page).nth(99).waitFor();
    const row = (i: number) => page.locator(`#answers-body .q-row[data-question-id="${order[i]!.question_id}"]`);

    await page.keyboard.press('j');
    await page.keyboard.press('a'); // accept the first, move on
    await row(0).and(page.locator('[data-review=accepted]')).waitFor();
    expect(await currentId(page)).toBe(order[1]!.question_id);
    await page.keyboard.press('r'); // reject the second, move on
    await row(1).and(page.locator('[data-review=rejected]')).waitFor();
    expect(await row(1).getAttribute('data-state')).toBe('not-found');
    expect(await currentId(page)).toBe(order[2]!.question_id);

    await page.keyboard.press('e'); // edit the third: the editor takes the focus
    const editor = row(2).locator('form.q-editor');
    await editor.waitFor();
    expect(await page.evaluate<string>('document.activeElement.className')).toContain('edit-answer');
    const corrected = 'The liner shall conform to ASTM F1216 and ASTM D5813.';
    await page.keyboard.press('Control+a');
    await page.keyboard.type(corrected);
    await editor.locator('.edit-pages').fill('2');
    await editor.locator('.edit-note').fill('checked on page 2');
    await editor.locator('.edit-answer').focus();
    await page.keyboard.press('Control+Enter');
    await row(2).and(page.locator('[data-review=edited]')).waitFor();
    expect(await row(2).locator('.q-answer .answer-text').innerText()).toBe(corrected);
    expect(await row(2).locator('.review-line').innerText()).toMatch(/^Edited by .* — checked on page 2/);
    expect(await row(2).locator('.unverified').count()).toBe(0); // the text is on page 2
    await page.locator('#review-counter', { hasText: '3 of 100 reviewed' }).waitFor();

    // Someone else accepts the fourth meanwhile: our accept, based on the unreviewed answer, is refused (409)
    // and both are shown; applying ours anyway lands on top of theirs.
    const other = await fetch(`${server.baseUrl}/api/review/${reviewSession}/${order[3]!.question_id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'reject', note: 'not in this spec' }),
      signal: AbortSignal.timeout(15_000),
    });
    expect(other.status).toBe(200);
    await page.keyboard.press('j');
    expect(await currentId(page)).toBe(order[3]!.question_id);
    await page.keyboard.press('a');
    const conflict = row(3).locator('.conflict');
    await conflict.waitFor();
    expect(await conflict.innerText()).toMatch(/Someone reviewed this question meanwhile[\s\S]*Rejected by/);
    expect(await row(3).getAttribute('data-review')).toBe('rejected'); // the current state is shown
    await conflict.locator('button[data-action=retry]').click();
    await row(3).and(page.locator('[data-review=accepted]')).waitFor();
    expect(await row(3).locator('.conflict').count()).toBe(0);
    const history = await getJson<{ history: Array<{ action: string }> }>(
      `${server.baseUrl}/api/review/${reviewSession}/${order[3]!.question_id}/history`,
    );
    expect(history.history.map((h) => h.action)).toEqual(['reject', 'accept']);

    // The server has every review; a reload shows them (and the edit) again.
    const stored = await getJson<ResultsReply>(`${server.baseUrl}/api/results/${reviewSession}`);
    const byId = new Map(stored.result.sections.flatMap((s) => s.questions).map((q) => [q.question_id, q]));
    expect([0, 1, 2, 3].map((i) => byId.get(order[i]!.question_id)!.review?.status)).toEqual([
      'accepted',
      'rejected',
      'edited',
      'accepted',
    ]);
    expect(byId.get(order[2]!.question_id)!.answer).toBe(corrected);
    await page.reload();
    await rows(page).nth(99).waitFor();
    await page.locator('#review-counter', { hasText: '4 of 100 reviewed' }).waitFor();
    expect(await row(2).getAttribute('data-review')).toBe('edited');
    expect(await row(2).locator('.q-answer .answer-text').innerText()).toBe(corrected);
    // The review filter finds them; the history of the edit lists it.
    await page.selectOption('#filter-review', 'edited');
    await page.locator('#queue-count', { hasText: 'Showing 1 of 100' }).waitFor();
    await row(2).locator('.q-toggle').click();
    await row(2).locator('button[data-action=history]').click();
    await row(2).locator('.review-history li').first().waitFor();
    expect(await row(2).locator('.review-history').innerText()).toContain('edit');
    expect(errors).toEqual([]);
  });

  it('opens the current question’s cited page beside the list with o, and follows j while it is open', async () => {
    const { page, errors } = await open(`/analyzer?session=${sessionId}`);
    await rows(page).nth(99).waitFor();
    const answered = results.result.sections.flatMap((s) => s.questions).filter((q) => q.answer !== null) as Array<
      Question & { page_citations: number[] }
    >;
    const firstTwo = answered.slice(0, 2);
    expect(firstTwo).toHaveLength(2);
    await page.selectOption('#filter-answer', 'answered');
    await page.locator('#queue-count', { hasText: `Showing ${answered.length} of 100` }).waitFor();
    await page.locator('#review-title').click(); // leave the select: keys are commands again
    await page.keyboard.press('j');
    expect(await currentId(page)).toBe(firstTwo[0]!.question_id);
    await page.keyboard.press('o');
    const viewer = (n: number) =>
      page.locator(`#document-panel .document-viewer[data-viewer-state="ready"][data-page="${n}"]`);
    await viewer(firstTwo[0]!.page_citations[0]!).waitFor();
    expect(['full', 'partial']).toContain(
      await page.locator('#document-panel .document-viewer').getAttribute('data-quote-status'),
    );
    expect(await page.locator('#document-panel [data-quote-highlight]').count()).toBeGreaterThan(0);
    // Side by side: the list ends where the panel begins.
    const panel = (await page.locator('#document-panel').boundingBox())!;
    const list = (await page.locator('#answers-body').boundingBox())!;
    expect(list.x + list.width).toBeLessThanOrEqual(panel.x + 1);
    expect(list.width).toBeGreaterThan(300);
    // j moves to the next answer and the viewer follows to its page.
    await page.keyboard.press('j');
    expect(await currentId(page)).toBe(firstTwo[1]!.question_id);
    await viewer(firstTwo[1]!.page_citations[0]!).waitFor();
    expect(await page.locator('#document-panel h2').innerText()).toContain(firstTwo[1]!.question_id);
    await saveScreenshot(page, 'analyzer-review-viewer', { docsName: 'screenshot-review.png' });
    await page.keyboard.press('Escape');
    await page.locator('#document-panel').waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
  });

  it('fits a 390-px phone: no sideways scrolling, rows readable, the detail and filters usable', async () => {
    const { page, errors } = await open(`/analyzer?session=${sessionId}`, PHONE);
    await rows(page).nth(99).waitFor();
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth');
    expect(await overflow()).toBeLessThanOrEqual(PHONE.width);
    // Open the row with the longest answer: still no overflow, and every row's text sits inside the screen.
    await page.click('#answers-body .q-row[data-question-id=Q1] .q-toggle');
    await page.locator('#answers-body .q-row[data-question-id=Q1] .q-detail').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(PHONE.width);
    const boxes = await page.evaluate<
      Array<{ left: number; right: number; textWidth: number; fontSize: number }>
    >(`[...document.querySelectorAll('#answers-body .q-row')].slice(0, 30).map((e) => {
      const text = e.querySelector('.q-text').getBoundingClientRect();
      const answer = e.querySelector('.q-answer').getBoundingClientRect();
      return { left: Math.min(text.left, answer.left), right: Math.max(text.right, answer.right), textWidth: text.width, fontSize: parseFloat(getComputedStyle(e.querySelector('.q-text')).fontSize) };
    })`);
    for (const box of boxes) {
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(PHONE.width);
      expect(box.textWidth).toBeGreaterThan(200); // the question gets the row's width, not a sliver of it
      expect(box.fontSize).toBeGreaterThanOrEqual(14);
    }
    // The filters other than search fold behind one button on a phone.
    expect(await page.locator('#filter-section').isVisible()).toBe(false);
    expect(await page.locator('#filter-search').isVisible()).toBe(true);
    await page.click('#filters-toggle');
    expect(await page.getAttribute('#filters-toggle', 'aria-expanded')).toBe('true');
    const second = results.result.sections[1]!;
    await page.selectOption('#filter-section', second.section_id);
    await page.locator('#queue-count', { hasText: 'Showing 10 of 100' }).waitFor();
    expect(await page.locator('#filters-toggle').innerText()).toBe('Filters (1)');
    expect(await overflow()).toBeLessThanOrEqual(PHONE.width);
    await page.click('#filter-clear');
    await page.click('#filters-toggle');
    expect(await page.locator('#filter-section').isVisible()).toBe(false);
    await page.locator('#answers-body .q-row[data-question-id=Q1]').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'analyzer-review-phone', { docsName: 'screenshot-review-phone.png' });
    expect(errors).toEqual([]);
  });

  it('loads a 1,000-question result and steps through it touching only the rows that change', async () => {
    const { page, errors } = await open(`/analyzer?session=${bigSessionId}`);
    await page.locator('#review-counter', { hasText: '0 of 1000 reviewed' }).waitFor();
    await rows(page).nth(999).waitFor();
    expect(await rows(page).count()).toBe(1000);
    // Mark every row node: a re-render that rebuilt rows would drop the marks.
    await page.evaluate(`document.querySelectorAll('#answers-body .q-row').forEach((r) => { r.dataset.probe = '1'; })`);
    for (let i = 0; i < 40; i++) await page.keyboard.press('j');
    const big = await getJson<ResultsReply>(`${server.baseUrl}/api/results/${bigSessionId}`);
    const order = big.result.sections.flatMap((s) => s.questions.map((q) => q.question_id));
    expect(await currentId(page)).toBe(order[39]);
    for (let i = 0; i < 5; i++) await page.keyboard.press('k');
    expect(await currentId(page)).toBe(order[34]);
    // Only the rows the cursor passed through were rebuilt (each at most once per step), never the other ~960.
    const unmarked = await page.evaluate<number>(
      `document.querySelectorAll('#answers-body .q-row:not([data-probe])').length`,
    );
    expect(unmarked).toBeLessThanOrEqual(40);
    expect(unmarked).toBeGreaterThan(0);
    // The current row is on screen.
    expect(await page.locator('#answers-body .q-row[aria-current=true]').isVisible()).toBe(true);
    const inView = await page.evaluate<boolean>(`(() => {
      const r = document.querySelector('#answers-body .q-row[aria-current=true]').getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    })()`);
    expect(inView).toBe(true);
    // A filter over 1,000 questions answers at once too.
    await page.fill('#filter-search', 'resin');
    await page.locator('#queue-count', { hasText: /^Showing \d+ of 1000 questions$/ }).waitFor();
    expect(errors).toEqual([]);
  });
});
