/**
 * Viewer highlight rate: analyse real RFPs with the offline engine on the real server, then open every page
 * citation of the results in the PDF viewer (Chromium) and count how each quote was found on its page:
 * full / partial / none / no-text, with the click-to-highlighted-page time. Not part of `npm run bench` (it
 * needs /usr/bin/chromium and the corpus in ../shared/corpus).
 *
 *   npx tsx bench/viewer-highlights.ts [FILE.pdf ...]      prints one JSON line per file
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  getJson,
  launchBrowser,
  openPage,
  startAnalysisViaApi,
  startTestServer,
} from '../test/browser/browser-harness.js';
import { REPO_ROOT } from '../test/helpers/processes.js';

const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus');
const DEFAULT_FILES = [
  'penhold_public_services_building_rfp_2024.pdf',
  'sfpw_cipp_liner_spec_33_01_30_73.pdf',
  'camrose_wdmlrl_shop_addition_rfp_2026.pdf',
];
const ANALYSIS_TIMEOUT_MS = 600_000;
const PAGE_TIMEOUT_MS = 30_000;

const files = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_FILES.map((f) => path.join(CORPUS, f));
const server = await startTestServer({});
const browser = await launchBrowser();
try {
  for (const file of files) {
    const id = await startAnalysisViaApi(server.baseUrl, new Uint8Array(fs.readFileSync(file)), path.basename(file));
    const deadline = Date.now() + ANALYSIS_TIMEOUT_MS;
    while (
      ['queued', 'active'].includes((await getJson<{ status: string }>(`${server.baseUrl}/api/results/${id}`)).status)
    ) {
      if (Date.now() > deadline) throw new Error(`${file}: analysis still running after ${ANALYSIS_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { page, context, errors } = await openPage(browser);
    await page.goto(`${server.baseUrl}/analyzer?session=${id}`);
    const buttons = page.locator('#answers-body button[data-cite-page]');
    await buttons.first().waitFor({ timeout: PAGE_TIMEOUT_MS });
    const count = await buttons.count();
    const statuses: Record<string, number> = {};
    const times: number[] = [];
    const notFull: string[] = [];
    for (let i = 0; i < count; i++) {
      const button = buttons.nth(i);
      const pageNumber = await button.getAttribute('data-cite-page');
      const started = Date.now();
      await button.click();
      await page
        .locator(`#document-panel .document-viewer[data-viewer-state="ready"][data-page="${pageNumber}"]`)
        .waitFor({ timeout: PAGE_TIMEOUT_MS });
      times.push(Date.now() - started);
      const status =
        (await page.locator('#document-panel .document-viewer').getAttribute('data-quote-status')) ?? 'unknown';
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 'full')
        notFull.push(`p${pageNumber} ${status}: ${(await button.getAttribute('data-cite-quote'))?.slice(0, 80)}`);
      await page.keyboard.press('Escape');
    }
    times.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        file: path.basename(file),
        citations: count,
        statuses,
        median_ms: times[Math.floor(times.length / 2)],
        max_ms: times.at(-1),
        not_full: notFull,
        errors,
      }),
    );
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
