/** Cheap checks on the raw upload before any parser touches it: size, and "is this a PDF at all". */
import { AppError } from '../errors.js';

// The PDF spec puts "%PDF-" at byte 0, but readers (and real files from scanners and mail gateways) accept
// it anywhere in the first kilobyte.
const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
const MAGIC_WINDOW_BYTES = 1024;

/** Throws UPLOAD_TOO_LARGE or PDF_INVALID; judged by content, never by file name. */
export function checkPdfBytes(bytes: Uint8Array, maxUploadBytes: number): void {
  if (bytes.byteLength > maxUploadBytes) {
    throw new AppError(
      'UPLOAD_TOO_LARGE',
      `The file is ${formatMb(bytes.byteLength)}; the maximum is ${formatMb(maxUploadBytes)} (MAX_UPLOAD_MB).`,
    );
  }
  if (bytes.byteLength === 0) throw new AppError('PDF_INVALID', 'The file is empty.');
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, MAGIC_WINDOW_BYTES));
  if (head.indexOf(PDF_MAGIC) < 0) {
    throw new AppError(
      'PDF_INVALID',
      `The file is not a PDF (no "%PDF-" header in its first ${MAGIC_WINDOW_BYTES} bytes)${describeContent(head)}.`,
    );
  }
}

function describeContent(head: Buffer): string {
  const start = head.subarray(0, 256).toString('latin1').trimStart().toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return '; it looks like an HTML page';
  if (start.startsWith('pk')) return '; it looks like a ZIP or Office document';
  if (start.startsWith('{') || start.startsWith('[')) return '; it looks like JSON';
  return '';
}

function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
