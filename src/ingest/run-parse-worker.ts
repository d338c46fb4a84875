/**
 * Runs src/ingest/parse-worker.mjs on a copy of the PDF bytes in a worker_threads Worker (a warm one from
 * the pool when there is one), with a wall-clock limit and a heap bound, and turns whatever goes wrong
 * (pdf.js exceptions, out-of-memory, time-out, a crash) into an AppError with a stable code. The server's
 * event loop never runs pdf.js itself.
 */
import { AppError } from '../errors.js';
import { parseWorkerPool } from './parse-worker-pool.js';

export interface RawTextItem {
  /** Text of the run, exactly as pdf.js decoded it (not yet normalised). */
  s: string;
  /** Left edge and baseline in viewport space (points, origin top-left, y downwards). */
  x: number;
  y: number;
  /** Advance width and font size, in points. */
  w: number;
  h: number;
}

export interface RawPage {
  pageNumber: number;
  width: number;
  height: number;
  items: RawTextItem[];
  /** Non-whitespace characters in the text layer. */
  textChars: number;
  /** PNG of the page when it was rendered for OCR, else null. */
  image: Uint8Array | null;
}

export interface RenderRequest {
  enabled: boolean;
  /** Pages whose text layer has fewer non-whitespace characters than this are rendered for OCR. */
  minTextChars: number;
  /**
   * Pages with fewer characters than this whose images cover at least minImageCoverage are rendered too (scans with a
   * typed header).
   */
  scannedPageMaxTextChars: number;
  /** Fraction 0..1 of the page area painted by images. */
  minImageCoverage: number;
  /** At most this many pages are rendered per document (OCR_MAX_PAGES). */
  maxPages: number;
  dpi: number;
}

export interface ParseWorkerRequest {
  bytes: Uint8Array;
  mode: 'inspect' | 'extract';
  /**
   * Extract mode: a 4-byte counter of pages claimed so far, shared by every worker of the document (each
   * claims `chunkPages` at a time until none are left). A fresh `new SharedArrayBuffer(4)` = all pages.
   */
  claim?: SharedArrayBuffer;
  chunkPages?: number;
  /**
   * The document's first worker (default true): it checks the raw file for decompression bombs and reports
   * the page labels. Further workers are started only after it has opened the document.
   */
  lead?: boolean;
  render: RenderRequest;
  timeoutMs: number;
  maxMemoryMb: number;
  signal?: AbortSignal;
  /**
   * Lead worker: called with the document's total inflated stream bytes before pdf.js opens it; the worker
   * waits until the returned promise resolves (the memory is reserved), and stops with its error if it rejects.
   * The parse time limit does not run while it waits.
   */
  onMeasured?: (inflatedBytes: number) => Promise<void>;
  /** Called once the document is open; throwing (e.g. too many pages) stops the worker with that error. */
  onOpened?: (pageCount: number) => void;
  onLabels?: (labels: string[] | null) => void;
  onPage?: (page: RawPage) => void;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'measured'; inflatedBytes: number }
  | { type: 'opened'; pageCount: number }
  | { type: 'labels'; labels: string[] | null }
  | { type: 'pages'; pages: RawPage[] }
  | { type: 'done' }
  | { type: 'error'; name: string; message: string; passwordCode: number | null };

/** Map a pdf.js exception (by name, since it crossed a thread boundary) to our stable codes. */
export function mapPdfjsError(name: string, message: string): AppError {
  if (name === 'PasswordException') {
    return new AppError('PDF_ENCRYPTED', 'The PDF is password-protected; upload a copy without a password.');
  }
  if (name === 'StreamTooLargeError') {
    return new AppError('PDF_INVALID', `The PDF cannot be read safely: ${message}.`);
  }
  if (name === 'InvalidPDFException' || name === 'MissingPDFException' || name === 'FormatError') {
    return new AppError('PDF_INVALID', `The file is not a readable PDF (${message || name}).`);
  }
  return new AppError('PDF_INVALID', `The PDF could not be read: ${message || name}.`);
}

export interface ParseWorkerRun {
  /** Resolves when the worker reports 'done'; rejects with an AppError. */
  done: Promise<void>;
  /** Terminate early (another worker failed); `done` rejects with the given error. */
  cancel(error: AppError): void;
}

/** Run the parse worker to completion. Resolves when the worker reports 'done'; rejects with an AppError. */
export async function runParseWorker(request: ParseWorkerRequest): Promise<void> {
  try {
    await startParseWorker(request).done;
  } finally {
    parseWorkerPool.refill();
  }
}

/** Start the parse worker and return a handle to cancel it. */
export function startParseWorker(request: ParseWorkerRequest): ParseWorkerRun {
  let cancel: (error: AppError) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(new AppError('RUN_ABORTED', 'Reading the PDF was stopped.'));
      return;
    }
    // Copy into a fresh ArrayBuffer that is then transferred: the caller's bytes stay usable. (Not .slice():
    // on a Node Buffer that is a view, and transferring it would detach the caller's, or the pool's, memory.)
    const copy = new Uint8Array(request.bytes);
    const worker = parseWorkerPool.acquire(request.maxMemoryMb);
    worker.postMessage(
      {
        type: 'job',
        bytes: copy,
        mode: request.mode,
        render: request.render,
        claim: request.claim ?? new SharedArrayBuffer(4),
        chunkPages: request.chunkPages ?? 1,
        lead: request.lead ?? true,
        awaitBudget: (request.lead ?? true) && request.onMeasured !== undefined,
      },
      [copy.buffer as ArrayBuffer],
    );

    let settled = false;
    const finish = (err: AppError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      // One document per thread: it is never reused. (The caller refills the pool once the whole document
      // is read, so new threads do not compete with this document's other workers for the cores.)
      void worker.terminate();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(new AppError('RUN_ABORTED', 'Reading the PDF was stopped.'));
    cancel = (error) => finish(error);
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const onTimeout = () => {
      finish(
        new AppError(
          'PDF_TIMEOUT',
          `Reading the PDF took longer than ${Math.round(request.timeoutMs / 1000)} s (PARSE_TIMEOUT_MS); the file may be damaged or built to exhaust the reader.`,
        ),
      );
    };
    let timer = setTimeout(onTimeout, request.timeoutMs);

    worker.on('message', (msg: WorkerMessage) => {
      if (settled) return;
      try {
        switch (msg.type) {
          case 'measured': {
            // Waiting for memory is not reading time: the limit restarts once the reservation is granted.
            clearTimeout(timer);
            const reserved = request.onMeasured ? request.onMeasured(msg.inflatedBytes) : Promise.resolve();
            reserved.then(
              () => {
                if (settled) return;
                timer = setTimeout(onTimeout, request.timeoutMs);
                worker.postMessage({ type: 'proceed' });
              },
              (err: unknown) =>
                finish(
                  err instanceof AppError ? err : new AppError('INTERNAL', 'Reading the PDF failed.', { cause: err }),
                ),
            );
            break;
          }
          case 'opened':
            request.onOpened?.(msg.pageCount);
            break;
          case 'labels':
            request.onLabels?.(msg.labels);
            break;
          case 'pages':
            for (const page of msg.pages) request.onPage?.(page);
            break;
          case 'done':
            finish(null);
            break;
          case 'error':
            finish(mapPdfjsError(msg.name, msg.message));
            break;
        }
      } catch (err) {
        finish(err instanceof AppError ? err : new AppError('INTERNAL', 'Reading the PDF failed.', { cause: err }));
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(
          new AppError(
            'PDF_INVALID',
            `Reading the PDF needed more than ${request.maxMemoryMb} MB of memory (PARSE_MAX_MEMORY_MB); the file may be damaged or built to exhaust the reader.`,
          ),
        );
      } else {
        finish(new AppError('PDF_INVALID', `The PDF could not be read: ${err.message}.`, { cause: err }));
      }
    });
    worker.on('exit', (code) => {
      finish(new AppError('PDF_INVALID', `The PDF reader stopped unexpectedly (exit code ${code}).`));
    });
  });
  return { done, cancel: (error) => cancel(error) };
}
