/**
 * Text-layer extraction over one or more parse workers. pdf.js reads ~130 dense pages/s per core, so a long
 * document is split into contiguous page ranges, one worker per core: the first worker opens the file,
 * reports the page count, narrows its own range and the others start on the rest.
 *
 * Page images for OCR are released in page order (all of worker 0's, then worker 1's...) so the
 * OCR_MAX_PAGES cap always picks the first scanned pages, whatever order the workers finish in.
 */
import os from 'node:os';
import type { AppError } from '../errors.js';
import { startParseWorker, type ParseWorkerRun, type RawPage, type RenderRequest } from './run-parse-worker.js';

// Starting another worker costs ~0.5–1 s (loading pdf.js, parsing the xref): only worth it for long files.
const MIN_PAGES_PER_WORKER = 150;
// More workers than this would only compete with the server for cores.
const MAX_PARSE_WORKERS = 4;

export interface ExtractRequest {
  bytes: Uint8Array;
  render: RenderRequest;
  timeoutMs: number;
  maxMemoryMb: number;
  signal?: AbortSignal;
  /** Upper bound on workers (default: available cores, at most MAX_PARSE_WORKERS). */
  maxWorkers?: number;
  /** Throwing here (page limit) stops everything with that error. */
  onOpened: (pageCount: number) => void;
  onLabels: (labels: string[] | null) => void;
  /** Text layer of one page (image stripped); `awaitsImage` = an image for OCR follows via onImage. */
  onPage: (page: RawPage, awaitsImage: boolean) => void;
  /** The page image for OCR, in page order; null when the OCR page cap was reached. */
  onImage: (pageNumber: number, png: Uint8Array | null) => void;
}

export function chooseWorkerCount(pageCount: number, maxWorkers: number): number {
  return Math.max(1, Math.min(maxWorkers, MAX_PARSE_WORKERS, Math.floor(pageCount / MIN_PAGES_PER_WORKER)));
}

/** Contiguous, near-equal 1-based page ranges. */
export function splitPageRanges(pageCount: number, parts: number): Array<{ firstPage: number; lastPage: number }> {
  const ranges = [];
  for (let i = 0; i < parts; i++) {
    const firstPage = Math.floor((i * pageCount) / parts) + 1;
    const lastPage = Math.floor(((i + 1) * pageCount) / parts);
    ranges.push({ firstPage, lastPage });
  }
  return ranges;
}

export async function extractPages(request: ExtractRequest): Promise<void> {
  const maxWorkers = request.maxWorkers ?? os.availableParallelism();
  const runs: ParseWorkerRun[] = [];
  const heldImages: Array<Array<{ pageNumber: number; png: Uint8Array }>> = [];
  const finished: boolean[] = [];
  let released = 0; // workers whose images have all been passed on
  let imagesPassed = 0;

  const passImage = (pageNumber: number, png: Uint8Array) => {
    const withinCap = imagesPassed < request.render.maxPages;
    if (withinCap) imagesPassed++;
    request.onImage(pageNumber, withinCap ? png : null);
  };
  const releaseInOrder = () => {
    while (released < runs.length) {
      for (const held of heldImages[released]!.splice(0)) passImage(held.pageNumber, held.png);
      if (!finished[released]) return;
      released++;
    }
  };

  const start = (index: number, range: { firstPage?: number; lastPage?: number }, first: boolean): ParseWorkerRun => {
    heldImages[index] = [];
    finished[index] = false;
    const run = startParseWorker({
      bytes: request.bytes,
      mode: 'extract',
      ...range,
      render: request.render,
      timeoutMs: request.timeoutMs,
      maxMemoryMb: request.maxMemoryMb,
      signal: request.signal,
      onOpened: first ? (count) => planWorkers(count) : undefined,
      onLabels: first ? request.onLabels : undefined,
      onPage: (page) => {
        const image = page.image;
        request.onPage({ ...page, image: null }, image !== null);
        if (image) {
          heldImages[index]!.push({ pageNumber: page.pageNumber, png: image });
          releaseInOrder();
        }
      },
    });
    // One failing worker stops the others at once (and its rejection is never left unhandled).
    run.done.catch((err: AppError) => {
      for (const other of runs) other.cancel(err);
    });
    return run;
  };

  const planWorkers = (pageCount: number) => {
    request.onOpened(pageCount);
    const count = chooseWorkerCount(pageCount, maxWorkers);
    if (count < 2) return;
    const ranges = splitPageRanges(pageCount, count);
    runs[0]!.narrowRange(ranges[0]!.lastPage);
    for (let i = 1; i < count; i++) runs.push(start(i, ranges[i]!, false));
  };

  runs.push(start(0, {}, true));
  // Workers 1..n are added while worker 0 runs (on 'opened'), so wait for them index by index.
  try {
    for (let i = 0; i < runs.length; i++) {
      await runs[i]!.done;
      finished[i] = true;
      releaseInOrder();
    }
  } catch (err) {
    for (const run of runs) run.cancel(err as AppError);
    await Promise.allSettled(runs.map((run) => run.done));
    throw err;
  }
}
