/**
 * Ingestion benchmark: text-layer speed on a generated 500-page document, peak RSS while ingesting a
 * generated 1,500-page document (in a child process, so the number is not polluted by this one), and OCR
 * seconds per scanned page. Targets: ≥ 300 text pages/s on a 2-core machine; peak RSS < 500 MB for 1,500 pages.
 *
 *   npx tsx bench/ingest.bench.ts          prints the results as JSON
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { testConfig } from '../src/config.js';
import { ingestPdf } from '../src/ingest/index.js';
import { parseWorkerPool } from '../src/ingest/parse-worker-pool.js';
import { createLongPdf, createPdf } from '../test/helpers/pdf-factory.js';

const SPEED_PAGES = 500;
const RSS_PAGES = 1_500;
const OCR_PAGES = 3;
const RSS_SAMPLE_MS = 20;
const THIS_FILE = fileURLToPath(import.meta.url);
// The server's default (PARSE_WARM_WORKERS) on a 2-core machine.
const WARM_WORKERS = Math.min(2, os.availableParallelism());

const ingestOptions = () => ({ ...testConfig().ingest, ocr: 'off' as const });

const WARM_RUNS = 5;

/** One 500-page ingest: wall time and time to the first page. */
async function timeIngest(
  bytes: Uint8Array,
): Promise<{ totalMs: number; firstPageMs: number; pages: number; chars: number }> {
  const startedAt = performance.now();
  let firstPageMs = 0;
  const doc = await ingestPdf(bytes, {
    ...ingestOptions(),
    onProgress: (done) => {
      if (done === 1) firstPageMs = performance.now() - startedAt;
    },
  });
  const totalMs = performance.now() - startedAt;
  const chars = doc.pages.reduce((n, p) => n + p.text.replace(/\s+/g, '').length, 0);
  return { totalMs, firstPageMs, pages: doc.pageCount, chars };
}

/**
 * Cold: the first document in a process with no warm parse threads (the CLI; a server's first upload with
 * PARSE_WARM_WORKERS=0). Warm: what the server does with its default pool (threads with pdf.js loaded and
 * warmed up), median of several documents, the pool refilled between them as it is between uploads.
 */
async function measureTextSpeed(): Promise<Record<string, unknown>> {
  const bytes = await createLongPdf(SPEED_PAGES);
  const cold = await timeIngest(bytes);

  const warmRuns: Array<Awaited<ReturnType<typeof timeIngest>>> = [];
  const referenceRates: number[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-bench-'));
  const file = path.join(dir, `long-${SPEED_PAGES}.pdf`);
  await writeFile(file, bytes);
  parseWorkerPool.keepWarm(WARM_WORKERS, ingestOptions().parseMaxMemoryMb);
  try {
    for (let i = 0; i < WARM_RUNS; i++) {
      await parseWorkerPool.whenWarm();
      warmRuns.push(await timeIngest(bytes));
      // Interleaved, so the machine's speed at the time shows beside the pipeline's.
      if (i % 2 === 0) referenceRates.push(await pdfjsReferenceRate(file));
    }
  } finally {
    await parseWorkerPool.close();
    await rm(dir, { recursive: true, force: true });
  }
  const reference = [...referenceRates].sort((a, b) => a - b)[Math.floor(referenceRates.length / 2)]!;
  const byTime = [...warmRuns].sort((a, b) => a.totalMs - b.totalMs);
  const median = byTime[Math.floor(byTime.length / 2)]!;
  return {
    pages: cold.pages,
    chars_per_page: Math.round(cold.chars / cold.pages),
    cold: {
      total_ms: Math.round(cold.totalMs),
      pages_per_s: round1(cold.pages / (cold.totalMs / 1000)),
      first_page_ms: Math.round(cold.firstPageMs),
    },
    warm: {
      workers: WARM_WORKERS,
      runs: warmRuns.length,
      total_ms_each: warmRuns.map((r) => Math.round(r.totalMs)),
      median_total_ms: Math.round(median.totalMs),
      pages_per_s: round1(median.pages / (median.totalMs / 1000)),
      first_page_ms: Math.round(median.firstPageMs),
      ratio_vs_pdfjs_one_thread: round2(median.pages / (median.totalMs / 1000) / reference),
    },
    // pdf.js alone on one thread, reading text only (no worker, no layout), measured between the warm runs:
    // how fast this machine was at the time.
    pdfjs_one_thread_reference: { runs: referenceRates.length, pages_per_s: reference },
  };
}

/** pages/s of bench/pdfjs-reference.mjs on `file`, in its own process. */
async function pdfjsReferenceRate(file: string): Promise<number> {
  const script = fileURLToPath(new URL('./pdfjs-reference.mjs', import.meta.url));
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`pdfjs reference exited with ${code}`))));
  });
  return (JSON.parse(output) as { pages_per_s: number }).pages_per_s;
}

/** Child-process side: ingest the file and report peak RSS (sampled, and the OS's max RSS). */
async function runRssChild(file: string): Promise<void> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, RSS_SAMPLE_MS);
  // As in the server: warm parse threads are part of the footprint.
  parseWorkerPool.keepWarm(WARM_WORKERS, ingestOptions().parseMaxMemoryMb);
  await parseWorkerPool.whenWarm();
  const startedAt = performance.now();
  const doc = await ingestPdf(new Uint8Array(await readFile(file)), ingestOptions());
  clearInterval(timer);
  await parseWorkerPool.close();
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({
      pages: doc.pageCount,
      total_ms: Math.round(performance.now() - startedAt),
      peak_rss_mb: mb(Math.max(peak, maxRssBytes)),
    }),
  );
}

async function measurePeakRss(): Promise<Record<string, number>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-bench-'));
  try {
    const file = path.join(dir, `long-${RSS_PAGES}.pdf`);
    const bytes = await createLongPdf(RSS_PAGES);
    await writeFile(file, bytes);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, '--rss-child', file], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`rss child exited with ${code}`))));
    });
    return { file_mb: mb(bytes.byteLength), ...(JSON.parse(output) as Record<string, number>) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureOcr(): Promise<Record<string, number>> {
  const pages = Array.from({ length: OCR_PAGES }, (_, i) => ({
    imageLines: [
      `SECTION 33 01 30.7${i} CURED-IN-PLACE PIPE LINING`,
      'The liner shall have a minimum thickness of 6.0 mm for 8-inch mains.',
      'Resin shall be polyester or vinyl ester as approved by the Engineer.',
      'The warranty period shall be two years from substantial completion.',
      'Liquidated damages shall be $500 per calendar day.',
    ],
  }));
  const doc = await ingestPdf(await createPdf(pages), { ...testConfig().ingest, ocr: 'auto' });
  const confidences = doc.pages.map((p) => p.ocrConfidence ?? 0);
  return {
    ocr_pages: doc.ocrPages.length,
    // Includes starting the tesseract worker once per document.
    ocr_s_per_page: round2(doc.timings.ocrMs / 1000 / Math.max(1, doc.ocrPages.length)),
    total_s_per_page: round2(doc.timings.totalMs / 1000 / doc.pageCount),
    mean_confidence: round2(confidences.reduce((a, b) => a + b, 0) / confidences.length),
  };
}

export async function runIngestBench(): Promise<Record<string, unknown>> {
  const text = await measureTextSpeed();
  const rss = await measurePeakRss();
  const ocr = await measureOcr();
  return {
    machine: { cpus: os.availableParallelism(), node: process.version },
    text_layer: { ...text, target_pages_per_s: 300 },
    peak_rss: { ...rss, target_mb: 500 },
    ocr,
  };
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const childIndex = process.argv.indexOf('--rss-child');
  if (childIndex >= 0) await runRssChild(process.argv[childIndex + 1]!);
  else process.stdout.write(`${JSON.stringify(await runIngestBench(), null, 2)}\n`);
}
