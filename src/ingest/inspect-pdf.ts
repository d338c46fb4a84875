/**
 * Quick validation of an upload before it is stored: content sniffing, size, opening the document in the
 * bounded parse worker and counting pages. Reads no page content, so it costs well under a second for a
 * sound file; a hostile one is stopped by the same time and memory limits as full ingestion.
 */
import { checkPdfBytes } from './check-pdf-bytes.js';
import { acquireParsePermit, type IngestOptions } from './ingest-options.js';
import { checkPageCount } from './page-limits.js';
import { estimateParseMemoryBytes } from './parse-gate.js';
import { runParseWorker } from './run-parse-worker.js';

export async function inspectPdf(
  bytes: Uint8Array,
  options: IngestOptions,
): Promise<{ pageCount: number; encrypted: false }> {
  checkPdfBytes(bytes, options.maxUploadBytes);
  let pageCount = 0;
  const permit = await acquireParsePermit(options);
  try {
    await runParseWorker({
      bytes,
      mode: 'inspect',
      render: { enabled: false, minTextChars: 0, scannedPageMaxTextChars: 0, minImageCoverage: 1, maxPages: 0, dpi: 0 },
      timeoutMs: options.parseTimeoutMs,
      maxMemoryMb: options.parseMaxMemoryMb,
      signal: options.signal,
      onMeasured: (bytes) => permit.reserve(estimateParseMemoryBytes(bytes)),
      onOpened: (count) => {
        checkPageCount(count, options.maxPages);
        pageCount = count;
      },
    });
  } finally {
    permit.release();
  }
  // Only documents that open without a password get here: pdf.js raised PasswordException otherwise.
  return { pageCount, encrypted: false };
}
