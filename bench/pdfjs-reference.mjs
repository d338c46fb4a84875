// Reference for bench/ingest.bench.ts: pdf.js alone on one thread (the same Node 20 fixes as
// src/ingest/parse-worker.mjs, no worker threads, no layout), reading the text of every page of the file
// given as argv[2]. Run in its own process so pdf.js's polyfills never touch the benchmark process. Prints
// {"pages", "ms", "pages_per_s"} for the pages after the document is open.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const PDFJS_ROOT = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

const nativePush = Array.prototype.push;
const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
globalThis.pdfjsWorker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
Object.defineProperty(Array.prototype, 'push', { value: nativePush, writable: true, configurable: true, enumerable: false });
globalThis.DecompressionStream = undefined;

const task = pdfjs.getDocument({ data: new Uint8Array(readFileSync(process.argv[2])), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0,
  standardFontDataUrl: path.join(PDFJS_ROOT, 'standard_fonts') + path.sep });
const pdf = await task.promise;
const started = performance.now();
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.getPage(n);
  await page.getTextContent({ disableNormalization: true });
  page.cleanup();
}
const ms = performance.now() - started;
await task.destroy();
console.log(JSON.stringify({ pages: pdf.numPages, ms: Math.round(ms), pages_per_s: Math.round((pdf.numPages / ms) * 10000) / 10 }));
