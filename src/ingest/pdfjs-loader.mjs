// pdf.js as every part of the app runs it: src/ingest/parse-worker.mjs (and bench/pdfjs-reference.mjs, which
// times pdf.js alone). Plain JavaScript for the same reason as the worker: worker threads do not inherit tsx.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const PDFJS_ROOT = path.dirname(require.resolve('pdfjs-dist/package.json'));

// Local asset folders (trailing slash required by pdf.js): nothing is ever fetched from the network.
const STANDARD_FONTS_DIR = path.join(PDFJS_ROOT, 'standard_fonts') + path.sep;
const CMAPS_DIR = path.join(PDFJS_ROOT, 'cmaps') + path.sep;
const WASM_DIR = path.join(PDFJS_ROOT, 'wasm') + path.sep;
const ICC_DIR = path.join(PDFJS_ROOT, 'iccs') + path.sep;

// Images above this many pixels are skipped by pdf.js instead of decoded: a scanned A0 drawing at 600 dpi
// is ~ 450 Mpx and would blow the memory bound just to be OCR'd at a resolution we never use.
const MAX_IMAGE_PIXELS = 64_000_000;

/**
 * Import pdf.js's Node (legacy) build without three measured costs on Node 20 (numbers: the 500-page
 * benchmark document, measured alternately; docs/ingest.md):
 * - Under tsx (how the server runs) source maps are enabled process-wide, so importing pdf.js would read
 *   and parse its multi-megabyte .map files in every worker: ~250 ms per worker, for stack traces we never
 *   show. This thread only runs pdf.js, so they are switched off here (the main thread keeps them).
 * - The build's core-js replaces Array.prototype.push with a JavaScript version (it fixes how push fails
 *   past 2^53 - 1 elements) and pdf.js pushes every glyph: 4.0 → 3.1 ms per page once the native push is
 *   back. Nothing here comes near that length.
 * - pdf.js inflates each content stream through DecompressionStream, a web-streams pipeline through libuv's
 *   thread pool; without it pdf.js uses its own synchronous decoder: 3.05 → 2.46 ms per page.
 * It changes globals of the calling thread: call it only where nothing but pdf.js runs (a parse worker, a
 * benchmark's own process).
 */
export async function loadPdfjs() {
  process.setSourceMapsEnabled(false);
  const nativePush = Array.prototype.push;
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js runs its "worker" half in this same thread (there is no browser Worker in Node) and would import
  // it lazily, bringing its own core-js copy that replaces push again; importing it first, where pdf.js
  // looks for it, lets the native push be restored once for both.
  globalThis.pdfjsWorker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  Object.defineProperty(Array.prototype, 'push', {
    value: nativePush,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  globalThis.DecompressionStream = undefined;
  return pdfjs;
}

/** Open PDF bytes with our safety options and local assets; returns pdf.js's loading task. */
export function openDocument(pdfjs, bytes) {
  return pdfjs.getDocument({
    data: bytes,
    // CVE-2024-4367: never compile font code with eval/new Function.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    disableAutoFetch: true,
    disableStream: true,
    standardFontDataUrl: STANDARD_FONTS_DIR,
    cMapUrl: CMAPS_DIR,
    cMapPacked: true,
    wasmUrl: WASM_DIR,
    iccUrl: ICC_DIR,
    maxImageSize: MAX_IMAGE_PIXELS,
    verbosity: 0,
  });
}
