// Reference for bench/ingest.bench.ts: pdf.js alone on one thread (loaded and opened exactly as the parse
// workers do, src/ingest/pdfjs-loader.mjs; no worker threads, no layout), reading the text of every page of
// the file given as argv[2]. Run in its own process so pdf.js's polyfills never touch the benchmark
// process. Prints {"pages", "ms", "pages_per_s"} for the pages after the document is open.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadPdfjs, openDocument } from '../src/ingest/pdfjs-loader.mjs';

const pdfjs = await loadPdfjs();
const task = openDocument(pdfjs, new Uint8Array(readFileSync(process.argv[2])));
const pdf = await task.promise;
const started = performance.now();
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.getPage(n);
  await page.getTextContent({ disableNormalization: true });
  page.cleanup();
}
const ms = performance.now() - started;
await task.destroy();
console.log(
  JSON.stringify({
    pages: pdf.numPages,
    ms: Math.round(ms),
    pages_per_s: Math.round((pdf.numPages / ms) * 10000) / 10,
  }),
);
