// Worker-thread entry that runs pdf.js on untrusted PDF bytes, off the main event loop.
//
// Plain JavaScript on purpose: a worker_threads Worker does not inherit tsx's TypeScript loader, so a .ts
// entry would fail under `tsx src/server.ts` and vitest alike. Everything that is not pdf.js (layout,
// normalisation, OCR) happens on the main thread in TypeScript; this file only streams raw, positioned
// text items (and page images for OCR) back as messages. The parent enforces the time limit
// (PARSE_TIMEOUT_MS) by terminating this thread and the memory bound through Worker resourceLimits.
//
// Lifecycle: the thread loads pdf.js at once and posts { type: 'ready' }; it may then wait, warm, in the
// parse-worker pool (parse-worker-pool.ts) until it is given exactly one job, and it is terminated after that
// job: no state from one (possibly hostile) document ever reaches the next.
//
//   parent → { type: 'job', bytes, mode, render, claim, chunkPages, lead, awaitBudget }
//   worker → { type: 'measured', inflatedBytes }                     (lead worker with awaitBudget; then it
//                                                                     waits for parent → { type: 'proceed' })
//            { type: 'opened', pageCount }
//            { type: 'labels', labels: string[] | null }                (extract mode, lead worker)
//            { type: 'pages', pages: [{ pageNumber, width, height, items, textChars, image }] }
//                                                                   (extract mode, one message per chunk)
//            { type: 'done' }
//            { type: 'error', name, message, passwordCode }             (instead of the rest)
//
// Pages are claimed in chunks of `chunkPages` from a counter shared by every worker of one document
// (`claim`, an Int32Array over a SharedArrayBuffer): a worker that starts late or gets slow pages simply
// claims fewer, so the workers finish together without the parent planning ranges.
import { parentPort, workerData } from 'node:worker_threads';
import { constants as zlibConstants, createInflate } from 'node:zlib';
import { loadPdfjs, openDocument } from './pdfjs-loader.mjs';
import { buildWarmUpPdf } from './warm-up-pdf.mjs';

// Rendered page images are capped at this many pixels per side (huge sheets are scaled down to fit).
const MAX_RENDER_SIDE_PX = 5_000;

// No legitimate stream inflates beyond this (pdf.js would skip an image this large anyway); a stream that
// does is a decompression bomb.
const MAX_INFLATED_STREAM_BYTES = 256 * 1024 * 1024;

class StreamTooLargeError extends Error {
  constructor() {
    super(
      `the file contains a compressed stream that expands to more than ${MAX_INFLATED_STREAM_BYTES / (1024 * 1024)} MB`,
    );
    this.name = 'StreamTooLargeError';
  }
}

// How far before a "stream" keyword its dictionary may start; image dictionaries are a few hundred bytes.
const DICTIONARY_WINDOW_BYTES = 2048;

/**
 * Inflate every Flate stream of the raw file, counting and discarding the output, and return what pdf.js may
 * hold at once: every non-image stream (content, fonts, object streams) plus the largest image. Images are
 * only decoded when a page is rendered for OCR, one page at a time, so a scan's images do not add up.
 * The parent counts the result against PARSE_MEMORY_BUDGET_MB. Throws StreamTooLargeError if any one stream
 * would inflate past MAX_INFLATED_STREAM_BYTES (a bomb). Cheap: the five corpus PDFs (0.3–2.7 MB) inflate
 * to 0.3–35 MB and are measured in 3–70 ms.
 */
async function measureInflatedStreams(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  let largestImage = 0;
  let from = 0;
  for (;;) {
    const keyword = buf.indexOf('stream', from, 'latin1');
    if (keyword < 0) return total + largestImage;
    from = keyword + 6;
    if (keyword >= 3 && buf.toString('latin1', keyword - 3, keyword) === 'end') continue;
    let start = from;
    if (buf[start] === 0x0d) start++;
    if (buf[start] === 0x0a) start++;
    else if (start === from) continue; // "stream" not followed by an end-of-line: not a stream keyword
    const end = buf.indexOf('endstream', start, 'latin1');
    const stop = end < 0 ? buf.length : end;
    from = stop;
    const inflated = await countInflatedBytes(buf.subarray(start, stop), MAX_INFLATED_STREAM_BYTES);
    if (inflated > MAX_INFLATED_STREAM_BYTES) throw new StreamTooLargeError();
    if (isImageStream(buf, keyword)) largestImage = Math.max(largestImage, inflated);
    else total += inflated;
  }
}

/** Whether the dictionary just before this "stream" keyword (from its "obj") declares an image XObject. */
function isImageStream(buf, keyword) {
  const window = buf.toString('latin1', Math.max(0, keyword - DICTIONARY_WINDOW_BYTES), keyword);
  const dictionary = window.slice(window.lastIndexOf('obj') + 3);
  return /\/Subtype\s*\/Image\b/.test(dictionary);
}

/** Inflate in 64 KB chunks, counting and discarding output (so measuring costs no memory); stops past the limit. */
function countInflatedBytes(data, limitBytes) {
  return new Promise((resolve) => {
    const inflate = createInflate({ finishFlush: zlibConstants.Z_SYNC_FLUSH, chunkSize: 64 * 1024 });
    let total = 0;
    let decided = false;
    const decide = () => {
      if (decided) return;
      decided = true;
      inflate.destroy();
      resolve(total);
    };
    inflate.on('data', (chunk) => {
      total += chunk.length;
      if (total > limitBytes) decide();
    });
    inflate.on('end', decide);
    // Not zlib data (a JPEG, another filter) or damaged: what was inflated so far counts; pdf.js decides the rest.
    inflate.on('error', decide);
    inflate.end(data);
  });
}

/** Resolves when the parent says the memory this document needs is reserved. */
function waitForProceed() {
  return new Promise((resolve) => {
    const onMessage = (msg) => {
      if (msg?.type !== 'proceed') return;
      parentPort.off('message', onMessage);
      resolve();
    };
    parentPort.on('message', onMessage);
  });
}

/** Read our own small document once, so the user's document meets compiled code (see warm-up-pdf.mjs). */
async function warmUp(pdfjs) {
  const loadingTask = openDocument(pdfjs, buildWarmUpPdf());
  try {
    const pdf = await loadingTask.promise;
    await pdf.getPageLabels();
    const render = { enabled: false };
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber++)
      await readPage(pdfjs, pdf, pageNumber, render, false);
  } finally {
    await loadingTask.destroy();
  }
}

async function runJob(pdfjs, job) {
  const { bytes, mode, render } = job;
  // The document's lead worker checks the raw file; the others only start once it has opened the document.
  if (job.lead) {
    const inflatedBytes = await measureInflatedStreams(bytes);
    if (job.awaitBudget) {
      parentPort.postMessage({ type: 'measured', inflatedBytes });
      await waitForProceed();
    }
  }

  const loadingTask = openDocument(pdfjs, bytes);
  try {
    const pdf = await loadingTask.promise;
    parentPort.postMessage({ type: 'opened', pageCount: pdf.numPages });
    if (mode === 'inspect') {
      parentPort.postMessage({ type: 'done' });
      return;
    }

    if (job.lead) {
      let labels = null;
      try {
        labels = await pdf.getPageLabels();
      } catch {
        labels = null; // a malformed /PageLabels tree is not worth rejecting the document for
      }
      parentPort.postMessage({ type: 'labels', labels });
    }

    const claimed = new Int32Array(job.claim);
    let rendered = 0;
    for (;;) {
      const first = Atomics.add(claimed, 0, job.chunkPages) + 1;
      if (first > pdf.numPages) break;
      const last = Math.min(pdf.numPages, first + job.chunkPages - 1);
      // One message per chunk, not per page: posting is a fixed cost per message on both threads.
      const pages = [];
      const transfer = [];
      for (let pageNumber = first; pageNumber <= last; pageNumber++) {
        // Each worker renders at most render.maxPages; the parent applies the document-wide cap in page order.
        const page = await readPage(pdfjs, pdf, pageNumber, render, rendered < render.maxPages);
        if (page.image) {
          rendered++;
          transfer.push(page.image.buffer);
        }
        pages.push(page);
      }
      parentPort.postMessage({ type: 'pages', pages }, transfer);
    }
    parentPort.postMessage({ type: 'done' });
  } finally {
    await loadingTask.destroy();
  }
}

/** One page's positioned text items, plus a rendered image when it looks scanned and OCR is wanted. */
async function readPage(pdfjs, pdf, pageNumber, render, mayRender) {
  const page = await pdf.getPage(pageNumber);
  try {
    const viewport = page.getViewport({ scale: 1 });
    const items = [];
    let textChars = 0;
    for (const item of await readTextItems(page)) {
      if (typeof item.str !== 'string' || item.str.length === 0) continue;
      // Viewport space: origin top-left, y grows downwards, page rotation and crop box applied.
      const tx = pdfjs.Util.transform(viewport.transform, item.transform);
      const size = Math.hypot(tx[2], tx[3]) || item.height || 1;
      items.push({ s: item.str, x: tx[4], y: tx[5], w: item.width, h: size });
      textChars += item.str.replace(/\s+/g, '').length;
    }

    const wantsOcr =
      render.enabled &&
      mayRender &&
      (textChars < render.minTextChars ||
        (textChars < render.scannedPageMaxTextChars &&
          (await measureImageCoverage(pdfjs.OPS, page)) >= render.minImageCoverage));
    const image = wantsOcr ? await renderPage(pdf, page, render.dpi) : null;
    return { pageNumber, width: viewport.width, height: viewport.height, items, textChars, image };
  } finally {
    page.cleanup();
  }
}

// page.getTextContent() gathers chunks with items.push(...chunk), which spreads every chunk into arguments;
// reading the stream directly is ~5 % faster on text-heavy documents.
async function readTextItems(page) {
  const reader = page.streamTextContent({ disableNormalization: true }).getReader();
  const items = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return items;
    for (const item of value.items) items.push(item);
  }
}

// Fraction (0..1) of the page area painted by images: a scanned page with a typed running header has a
// little text but is essentially one big picture. Only called for pages with little text, so the cost of
// building the operator list (which render() then reuses from pdf.js's cache) stays small.
async function measureImageCoverage(OPS, page) {
  const [x0, y0, x1, y1] = page.view;
  const pageArea = Math.abs((x1 - x0) * (y1 - y0)) || 1;
  const opList = await page.getOperatorList();
  const stack = [];
  let ctm = [1, 0, 0, 1, 0, 0];
  let painted = 0;
  for (let i = 0; i < opList.fnArray.length; i++) {
    const fn = opList.fnArray[i];
    const args = opList.argsArray[i];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, args);
    else if (fn === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      if (Array.isArray(args?.[0]) || ArrayBuffer.isView(args?.[0])) ctm = multiply(ctm, args[0]);
    } else if (fn === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) {
      // Images are drawn into the unit square, so the CTM's determinant is the painted area.
      painted += Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]);
    }
  }
  return Math.min(1, painted / pageArea);
}

function multiply(m, n) {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

async function renderPage(pdf, page, dpi) {
  let scale = dpi / 72;
  const base = page.getViewport({ scale: 1 });
  const longest = Math.max(base.width, base.height) * scale;
  if (longest > MAX_RENDER_SIDE_PX) scale *= MAX_RENDER_SIDE_PX / longest;
  const viewport = page.getViewport({ scale });
  const entry = pdf.canvasFactory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
  try {
    await page.render({ canvasContext: entry.context, canvas: entry.canvas, viewport, background: '#ffffff' }).promise;
    const png = entry.canvas.toBuffer('image/png');
    return new Uint8Array(png.buffer, png.byteOffset, png.byteLength).slice();
  } finally {
    pdf.canvasFactory.destroy(entry);
  }
}

function reportError(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  parentPort.postMessage({
    type: 'error',
    name: e.name || 'Error',
    message: e.message || String(err),
    passwordCode: typeof err?.code === 'number' ? err.code : null,
  });
}

// Load pdf.js first (and, for a pooled spare, read the warm-up document: a cold worker started for a job
// that is already waiting would only delay it), then take exactly one job.
async function prepare() {
  const pdfjs = await loadPdfjs();
  // Only a speed-up: if our own document ever failed, the thread would still take its job (just cold), and
  // the failure must not be reported as the user's document's error.
  if (workerData?.warmUp) await warmUp(pdfjs).catch(() => undefined);
  return pdfjs;
}

prepare().then((pdfjs) => {
  parentPort.once('message', (job) => {
    runJob(pdfjs, job).catch(reportError);
  });
  parentPort.postMessage({ type: 'ready' });
}, reportError);
