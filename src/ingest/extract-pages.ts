/**
 * Text-layer extraction over one or more parse workers. A long document is read by one worker per core
 * (up to MAX_PARSE_WORKERS): the first worker opens the file and reports the page count, the others are
 * started then, and every worker claims pages in small chunks from one shared counter until none are left,
 * so a worker that starts later, or draws heavier pages, simply reads fewer and they all finish together.
 *
 * Page images for OCR are passed on in page order, whichever worker read them, so the OCR_MAX_PAGES cap
 * always picks the first scanned pages.
 */
import os from 'node:os';
import type { AppError } from '../errors.js';
import { estimateParseMemoryBytes } from './parse-gate.js';
import { parseWorkerPool } from './parse-worker-pool.js';
import { startParseWorker, type ParseWorkerRun, type RawPage, type RenderRequest } from './run-parse-worker.js';

// A further worker costs ~0.15 s to open the document (warm) or ~0.5 s (cold), and pdf.js reads 3–5 ms per
// text page: below this many pages per worker, splitting gains nothing.
const MIN_PAGES_PER_WORKER = 100;
// More workers than this would only compete with the server for cores.
const MAX_PARSE_WORKERS = 4;
// Pages claimed at a time: small enough that workers finish within a few pages of each other, large
// enough that the pages arrive nearly in order (images are held until every earlier page is in).
const CHUNK_PAGES = 8;

export interface ExtractRequest {
  bytes: Uint8Array;
  render: RenderRequest;
  timeoutMs: number;
  maxMemoryMb: number;
  signal?: AbortSignal;
  /** Upper bound on workers (default: available cores, at most MAX_PARSE_WORKERS). */
  maxWorkers?: number;
  /**
   * Memory accounting (the parse gate's permit): the lead worker reserves the document's inflated bytes before
   * it opens the file; each further worker reads only if the same amount fits at once (else fewer workers read).
   */
  budget?: { reserve(bytes: number): Promise<void>; tryReserve(bytes: number): boolean };
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

/**
 * Passes page images on in page order: pages arrive in any order from several workers, and the cap on
 * OCR'd pages must take the first scanned pages of the document.
 */
export class PageOrderGate {
  #next = 1;
  #arrived = new Map<number, Uint8Array | null>();
  #passed = 0;

  constructor(
    private readonly maxImages: number,
    private readonly onImage: (pageNumber: number, png: Uint8Array | null) => void,
  ) {}

  /** Page `pageNumber` is read (with its image for OCR, or null); images up to the first gap are passed. */
  arrived(pageNumber: number, image: Uint8Array | null): void {
    this.#arrived.set(pageNumber, image);
    while (this.#arrived.has(this.#next)) {
      const png = this.#arrived.get(this.#next)!;
      this.#arrived.delete(this.#next);
      if (png) {
        // Past the cap the page is still reported (with null) so its caller can count it as done.
        const withinCap = this.#passed < this.maxImages;
        if (withinCap) this.#passed++;
        this.onImage(this.#next, withinCap ? png : null);
      }
      this.#next++;
    }
  }
}

/**
 * Hands pages to their callback one per turn of the event loop. Laying out and normalising a page costs a few
 * ms on the calling (HTTP) thread, and the workers' messages arrive in bursts (chunks of pages from several
 * threads are delivered back to back): taken all at once they held the thread for 0.1–0.6 s on a 250-page
 * document, so requests such as /health waited that long.
 */
export class PageCallbackQueue {
  #pages: RawPage[] = [];
  #scheduled = false;
  #error: unknown = null;
  #waiters: Array<() => void> = [];

  constructor(private readonly handle: (page: RawPage) => void) {}

  push(page: RawPage): void {
    this.#pages.push(page);
    this.#schedule();
  }

  /** Resolves once every page pushed so far was handled; rejects with the first error a callback threw. */
  drained(): Promise<void> {
    if (this.#pages.length === 0 && !this.#scheduled)
      return this.#error ? Promise.reject(this.#error) : Promise.resolve();
    return new Promise<void>((resolve) => this.#waiters.push(resolve)).then(() =>
      this.#error ? Promise.reject(this.#error) : undefined,
    );
  }

  get failed(): unknown {
    return this.#error;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const page = this.#pages.shift();
      if (page && this.#error === null) {
        try {
          this.handle(page);
        } catch (err) {
          this.#error = err;
        }
      }
      if (this.#pages.length > 0) this.#schedule();
      else for (const wake of this.#waiters.splice(0)) wake();
    });
  }
}

export async function extractPages(request: ExtractRequest): Promise<void> {
  const maxWorkers = request.maxWorkers ?? os.availableParallelism();
  const claim = new SharedArrayBuffer(4);
  const gate = new PageOrderGate(request.render.maxPages, request.onImage);
  const runs: ParseWorkerRun[] = [];
  let memoryBytes = 0;
  const pages = new PageCallbackQueue((page) => {
    request.onPage({ ...page, image: null }, page.image !== null);
    gate.arrived(page.pageNumber, page.image);
  });

  const start = (first: boolean): ParseWorkerRun => {
    const run = startParseWorker({
      bytes: request.bytes,
      mode: 'extract',
      claim,
      chunkPages: CHUNK_PAGES,
      lead: first,
      render: request.render,
      timeoutMs: request.timeoutMs,
      maxMemoryMb: request.maxMemoryMb,
      signal: request.signal,
      onMeasured:
        first && request.budget
          ? (bytes) => {
              memoryBytes = estimateParseMemoryBytes(bytes);
              return request.budget!.reserve(memoryBytes);
            }
          : undefined,
      onOpened: first
        ? (pageCount) => {
            request.onOpened(pageCount);
            for (let i = 1; i < chooseWorkerCount(pageCount, maxWorkers); i++) {
              // Each worker decodes the document's streams again: it reads only if its share of memory fits now.
              if (request.budget && !request.budget.tryReserve(memoryBytes)) break;
              runs.push(start(false));
            }
          }
        : undefined,
      onLabels: first ? request.onLabels : undefined,
      onPage: (page) => pages.push(page),
    });
    // One failing worker stops the others at once (and its rejection is never left unhandled).
    run.done.catch((err: AppError) => {
      for (const other of runs) other.cancel(err);
    });
    return run;
  };

  runs.push(start(true));
  // Workers 1..n are added while worker 0 runs (on 'opened'), so wait for them index by index.
  try {
    for (let i = 0; i < runs.length; i++) await runs[i]!.done;
    await pages.drained();
  } catch (err) {
    for (const run of runs) run.cancel(err as AppError);
    await Promise.allSettled(runs.map((run) => run.done));
    throw err;
  } finally {
    parseWorkerPool.refill();
  }
}
