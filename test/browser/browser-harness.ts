/**
 * Shared setup for the real-browser tests: Debian's Chromium driven by playwright-core, the real server
 * (src/server.ts, PGlite in a fresh temp DATA_DIR), small spec PDFs, and screenshots.
 *
 * Without /usr/bin/chromium the suites are skipped with a printed notice, unless REQUIRE_BROWSER=1 (CI),
 * which turns a missing browser into a failure. Never `npx playwright install` (it downloads).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, startServerProcess, type Child } from '../helpers/processes.js';
import { createTextPdf } from '../helpers/pdf-factory.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Bound on any single UI wait: a local analysis of a 4-page PDF takes well under this. */
export const UI_TIMEOUT_MS = 20_000;

export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
export const DOCS_DIR = path.join(REPO_ROOT, 'docs');

/** True when the browser tests can run; prints why not (or throws under REQUIRE_BROWSER=1). */
export function browserAvailable(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  }
  console.warn(
    `\n*** NOTICE: ${CHROMIUM_PATH} not found: the browser tests are SKIPPED.\n*** Install it with: apt-get install -y chromium (CI sets REQUIRE_BROWSER=1).\n`,
  );
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors other than failed HTTP fetches the test provoked. */
  errors: string[];
  /** Messages of any JavaScript dialog (alert/confirm/prompt) that fired; each is dismissed. */
  dialogs: string[];
}

/** A fresh context (own cookies, downloads accepted) and page at a given viewport, with error capture. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<BrowserPage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // HTTP errors the test asked for (422 on a bad PDF, 404s) log "Failed to load resource"; CSP violations do not.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      errors.push(`console: ${msg.text()}`);
  });
  // Works offline: every script, style, font and image comes from the app itself.
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.hostname !== '127.0.0.1')
      errors.push(`external request: ${request.url()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page, errors, dialogs };
}

export interface TestServer {
  baseUrl: string;
  dataDir: string;
  child: Child;
  stop(): Promise<void>;
}

/** The real server on a free port with PGlite in a fresh temp DATA_DIR. */
export async function startTestServer(env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-browser-'));
  const child = await startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env }, 90_000);
  return {
    baseUrl: child.baseUrl,
    dataDir,
    child,
    async stop() {
      child.kill('SIGTERM');
      const exited = await Promise.race([
        child.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
      ]);
      if (!exited) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sentences a CIPP checklist asks about, one topic per page, so answers land on known pages. */
export const SPEC_PAGES = [
  'SECTION 01 11 00 SUMMARY OF WORK\nThe project is the Example Creek Sewer Rehabilitation in Springfield, Illinois.\nThe work includes 12,500 linear feet of 8-inch to 15-inch sanitary sewer.',
  'SECTION 33 01 30.72 CURED-IN-PLACE PIPE LINING\nThe liner shall conform to ASTM F1216 and ASTM D5813.\nThe minimum liner thickness shall be 6.0 mm for 8-inch pipe.\nThe resin shall be a polyester resin system.',
  'SECTION 00 21 13 INSTRUCTIONS TO BIDDERS\nA bid bond of 5 percent of the bid amount is required.\nLiquidated damages shall be $500 per calendar day.',
  'SECTION 01 78 00 CLOSEOUT\nThe contractor shall warrant the work for a period of two years.\nAll work shall be completed within 180 calendar days.',
];

/** The planted sentence the fake LLM answers each question with (when its page is in the prompt). */
export const PLANTED_ANSWERS: Record<string, string> = {
  Q1: 'The project is the Example Creek Sewer Rehabilitation in Springfield, Illinois.',
  Q3: 'The work includes 12,500 linear feet of 8-inch to 15-inch sanitary sewer.',
  Q11: 'The resin shall be a polyester resin system.',
  Q61: 'The contractor shall warrant the work for a period of two years.',
};

export function createSpecPdf(): Promise<Uint8Array> {
  return createTextPdf(SPEC_PAGES);
}

/** Write bytes to a file with exactly this name (the browser sends the file name as chosen). */
export function writeTempFile(dir: string, name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/**
 * Save a screenshot to test-artifacts/<name>.png; with UPDATE_DOCS_SCREENSHOTS=1 also to docs/<docsName>
 * (the checked-in screenshots are refreshed on purpose, never as a side effect of CI).
 */
export async function saveScreenshot(
  page: Page,
  name: string,
  options: { docsName?: string; fullPage?: boolean } = {},
): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  if (options.docsName && process.env.UPDATE_DOCS_SCREENSHOTS === '1')
    fs.copyFileSync(file, path.join(DOCS_DIR, options.docsName));
  return file;
}

/** Poll an async condition until it holds (bounded). */
export async function waitUntil<T>(
  fn: () => Promise<T | null | undefined | false>,
  { timeoutMs = UI_TIMEOUT_MS, intervalMs = 200, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Start an analysis through the API (fast setup for admin tests). */
export async function startAnalysisViaApi(
  baseUrl: string,
  pdf: Uint8Array,
  filename: string,
  fields: Record<string, string> = {},
): Promise<string> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), filename);
  const res = await fetch(`${baseUrl}/api/analyze`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json()) as { success: boolean; session_id?: string; error?: string };
  if (res.status !== 202 || !json.session_id)
    throw new Error(`analyze failed (${res.status}): ${JSON.stringify(json)}`);
  return json.session_id;
}

export async function getJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  return (await res.json()) as T;
}

/** Ids of form controls that have neither a <label for>, a wrapping label, nor an aria-label(ledby). */
export function findUnlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
    .filter((c) => c.type !== 'hidden' && !c.closest('[hidden]'))
    .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
    .map((c) => c.id || c.outerHTML.slice(0, 80))`);
}
