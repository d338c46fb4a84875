/**
 * PDF bytes → IngestedDocument: the text of every page in reading order, with printed page labels,
 * repeated headers/footers identified, and OCR for pages without a text layer.
 *
 * pdf.js runs in bounded worker threads (extract-pages.ts, run-parse-worker.ts) that stream positioned
 * text items page by page; layout and normalisation happen here as pages arrive, and pages rendered for
 * OCR are recognised while the workers carry on with the next pages.
 */
import { AppError } from '../errors.js';
import type { IngestedDocument, IngestedPage } from './types.js';
import { checkPdfBytes } from './check-pdf-bytes.js';
import { detectBoilerplate } from './detect-boilerplate.js';
import {
  MIN_SCAN_IMAGE_COVERAGE,
  MIN_TEXT_LAYER_CHARS,
  OCR_RENDER_DPI,
  SCANNED_PAGE_MAX_TEXT_CHARS,
  acquireParsePermit,
  type IngestOptions,
} from './ingest-options.js';
import { layoutPageLines } from './layout-page.js';
import { buildPageStructure, type LineHints } from './page-structure.js';
import { normalizePageLines } from './normalize-text.js';
import { createOcrSession, type OcrPageResult } from './ocr-session.js';
import { checkPageCount } from './page-limits.js';
import { extractPages } from './extract-pages.js';

interface PageDraft {
  lines: string[];
  /** Font size and cells per line from pdf.js positions (null when they do not line up with `lines`). */
  hints: LineHints[] | null;
  textChars: number;
  ocr: OcrPageResult | null;
}

export async function ingestPdf(bytes: Uint8Array, options: IngestOptions): Promise<IngestedDocument> {
  const startedAt = performance.now();
  checkPdfBytes(bytes, options.maxUploadBytes);

  const ocrEnabled = options.ocr === 'auto' && options.ocrMaxPages > 0;
  const ocr = ocrEnabled
    ? createOcrSession({ pageTimeoutMs: options.ocrPageTimeoutMs, documentTimeoutMs: options.ocrDocumentTimeoutMs })
    : null;
  const stopOcr = () => void ocr?.close();
  options.signal?.addEventListener('abort', stopOcr, { once: true });

  let total = 0;
  let pagesDone = 0;
  let labels: string[] | null = null;
  const drafts: PageDraft[] = [];
  let ocrQueue: Promise<void> = Promise.resolve();
  const reportPage = () => options.onProgress?.(++pagesDone, total);

  let parseMs = 0;
  try {
    // Only the text-layer pass holds a parse slot and memory; OCR of the pages it rendered carries on after.
    const permit = await acquireParsePermit(options);
    try {
      await extractPages({
        bytes,
        budget: permit,
        render: {
          enabled: ocrEnabled,
          minTextChars: MIN_TEXT_LAYER_CHARS,
          scannedPageMaxTextChars: SCANNED_PAGE_MAX_TEXT_CHARS,
          minImageCoverage: MIN_SCAN_IMAGE_COVERAGE,
          maxPages: options.ocrMaxPages,
          dpi: OCR_RENDER_DPI,
        },
        timeoutMs: options.parseTimeoutMs,
        maxMemoryMb: options.parseMaxMemoryMb,
        signal: options.signal,
        onOpened: (count) => {
          checkPageCount(count, options.maxPages);
          total = count;
        },
        onLabels: (found) => {
          labels = found;
        },
        onPage: (raw, awaitsImage) => {
          const laidOut = layoutPageLines(raw);
          const lines = normalizePageLines(laidOut.map((l) => l.text));
          // Hints line up with the lines only when normalising joined or dropped none (almost always).
          const hints = lines.length === laidOut.length ? laidOut.map((l) => ({ size: l.size, cells: l.cells })) : null;
          drafts[raw.pageNumber - 1] = { lines, hints, textChars: raw.textChars, ocr: null };
          if (!awaitsImage) reportPage();
        },
        onImage: (pageNumber, png) => {
          const draft = drafts[pageNumber - 1]!;
          if (!png || !ocr) {
            reportPage();
            return;
          }
          // One page at a time through the single tesseract worker, in page order.
          ocrQueue = ocrQueue.then(async () => {
            draft.ocr = await ocr.recognize(png);
            reportPage();
          });
        },
      });
    } finally {
      permit.release();
    }
    parseMs = performance.now() - startedAt;
    await ocrQueue;
    if (options.signal?.aborted) throw new AppError('RUN_ABORTED', 'Reading the PDF was stopped.');
  } finally {
    options.signal?.removeEventListener('abort', stopOcr);
    await ocr?.close();
    await ocrQueue.catch(() => undefined);
  }

  const pages = assemblePages(drafts, labels);
  if (!options.allowNoText && !pages.some((p) => p.text.trim().length > 0)) {
    throw new AppError(
      'PDF_NO_TEXT',
      ocrEnabled
        ? 'No text could be read from the PDF, even with OCR; it may be blank or a very poor scan.'
        : 'The PDF has no text layer and OCR is switched off (OCR=off); enable OCR or upload a PDF with text.',
    );
  }
  const totalMs = performance.now() - startedAt;
  return {
    pageCount: pages.length,
    pages,
    ocrPages: pages.filter((p) => p.ocr).map((p) => p.pageNumber),
    timings: { parseMs: Math.round(parseMs), ocrMs: Math.round(ocr?.elapsedMs() ?? 0), totalMs: Math.round(totalMs) },
  };
}

function assemblePages(drafts: PageDraft[], labels: string[] | null): IngestedPage[] {
  const chosen = drafts.map((draft) => {
    // OCR replaces the text layer only when it actually read more than the text layer had
    // (a scanned page's typed header alone must not win over the scan's content, nor the reverse).
    if (draft.ocr) {
      const ocrLines = normalizePageLines(draft.ocr.text.split(/\r?\n/));
      const ocrChars = ocrLines.join('').replace(/\s+/g, '').length;
      if (ocrChars > draft.textChars)
        return { lines: ocrLines, hints: null, ocr: true, ocrConfidence: round3(draft.ocr.confidence) };
    }
    return { lines: draft.lines, hints: draft.hints, ocr: false, ocrConfidence: null };
  });
  const boilerplate = detectBoilerplate(chosen.map((c) => c.lines));
  return chosen.map((c, i) => ({
    pageNumber: i + 1,
    label: normalizeLabel(labels?.[i]),
    text: c.lines.join('\n'),
    boilerplateLines: boilerplate[i] ?? [],
    ocr: c.ocr,
    ocrConfidence: c.ocrConfidence,
    structure: buildPageStructure(c.lines, boilerplate[i] ?? [], i + 1, c.hints ?? undefined),
  }));
}

function normalizeLabel(label: string | undefined): string | null {
  const trimmed = label?.trim();
  return trimmed ? trimmed : null;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
