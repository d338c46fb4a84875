/** Options for ingestPdf/inspectPdf: the ingest part of the app Config plus per-call hooks. */
import type { Config } from '../config.js';
import { parseGate, type ParsePermit } from './parse-gate.js';

export type IngestOptions = Config['ingest'] & {
  /** Called after each page is finished (text layer read, or OCR done): pages done so far, total pages. */
  onProgress?: (pagesDone: number, total: number) => void;
  /** Aborting stops the parse worker and OCR; the call rejects with AppError('RUN_ABORTED'). */
  signal?: AbortSignal;
  /**
   * Wait at most PARSE_QUEUE_TIMEOUT_MS for a parse slot and memory, then fail with SERVER_BUSY (requests
   * waiting on an answer). Default: wait until there is room (background runs, the CLI).
   */
  boundedQueue?: boolean;
  /** Return a document without any text (instead of PDF_NO_TEXT): validation with OCR still to come in the run. */
  allowNoText?: boolean;
};

// Pages with fewer non-whitespace characters than this have no usable text layer.
export const MIN_TEXT_LAYER_CHARS = 20;
// Pages with fewer characters than this whose images cover ≥ MIN_SCAN_IMAGE_COVERAGE of the page are scans
// with a typed running header (e.g. "Page 51 of 72" over a scanned geotechnical report): OCR them too.
export const SCANNED_PAGE_MAX_TEXT_CHARS = 300;
export const MIN_SCAN_IMAGE_COVERAGE = 0.3;
// 150 dpi: ~0.2 s to render and 1–2.6 s to OCR a page; enough for 9-pt spec text.
export const OCR_RENDER_DPI = 150;

/** IngestOptions from the app Config, with optional hooks. */
export function ingestOptionsFromConfig(
  config: Pick<Config, 'ingest'>,
  hooks: Pick<IngestOptions, 'onProgress' | 'signal' | 'boundedQueue'> = {},
): IngestOptions {
  return { ...config.ingest, ...hooks };
}

/** Wait for a slot in the process-wide parse gate (see parse-gate.ts) with the limits from these options. */
export function acquireParsePermit(options: IngestOptions): Promise<ParsePermit> {
  return parseGate.acquire({
    limits: { concurrency: options.parseConcurrency, memoryBudgetBytes: options.parseMemoryBudgetBytes },
    queueTimeoutMs: options.boundedQueue ? options.parseQueueTimeoutMs : undefined,
    signal: options.signal,
  });
}
