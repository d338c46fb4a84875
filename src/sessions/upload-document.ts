/**
 * Upload once, then work from the stored document: a PDF is validated exactly as an analysis validates it
 * (content, encryption, page limit, bombs, text layer in the parse workers), stored with its page text, and
 * from then on estimates and analyses refer to it by id without sending or parsing it again.
 *
 * Documents are private to their uploader (another user's id answers like an unknown one), deduplicated per
 * owner by SHA-256 (the same bytes again return the same document without a parse) and expire DOCUMENT_TTL_MS
 * after the last upload unless an analysis used them (the analysis keeps its own copy of the PDF anyway).
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { createSessionId, isSessionIdShape } from '../db/session-ids.js';
import type { IngestedPage } from '../ingest/types.js';
import {
  insertUploadedDocument,
  renewDocumentByHash,
  selectUploadedDocument,
  selectUploadedDocumentPages,
  type UploadedDocument,
} from '../db/queries/uploaded-documents.js';
import { cleanFilename, validatePdf, type AnalyzeForm } from './start-analysis.js';
import { cachedDocumentPages } from './document-pages-cache.js';

// 24 h: a user who chose a file can come back to it the same day; unused uploads do not pile up.
export const DOCUMENT_TTL_MS = 24 * 60 * 60 * 1000;

export interface UploadOutcome {
  document: UploadedDocument;
  /** False when the owner already had these bytes: the existing document was returned, nothing was parsed. */
  created: boolean;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function uploadDocument(
  ctx: AppContext,
  file: AnalyzeForm['file'],
  ownerId: string | null,
  sha256?: string,
): Promise<UploadOutcome> {
  if (!file || file.bytes.length === 0) {
    throw file ? new AppError('PDF_INVALID', 'The uploaded file is empty (0 bytes).') : new AppError('FILE_REQUIRED');
  }
  const hash = sha256 ?? sha256Hex(file.bytes);
  const filename = cleanFilename(file.filename);
  const existing = await renewDocumentByHash(ctx.db, ownerId, hash, filename, DOCUMENT_TTL_MS);
  if (existing) return { document: existing, created: false };

  const pdf = await validatePdf(ctx, file);
  const stored = await ctx.db.transaction((tx) =>
    insertUploadedDocument(tx, {
      id: createSessionId(),
      ownerId,
      filename,
      sha256: hash,
      bytes: pdf.bytes,
      pageCount: pdf.pageCount,
      ocrPages: pdf.ocrPages,
      pages: pdf.document?.pages ?? null,
      ttlMs: DOCUMENT_TTL_MS,
    }),
  );
  if (stored) return { document: stored, created: true };
  // The same bytes were stored by a concurrent upload of this owner meanwhile: that one is the document.
  const raced = await renewDocumentByHash(ctx.db, ownerId, hash, filename, DOCUMENT_TTL_MS);
  if (!raced) throw new AppError('INTERNAL', 'The document could not be stored.');
  return { document: raced, created: false };
}

/** The caller's own, unexpired document and its stored page text (null when OCR will read it in the run). */
/**
 * A document of the caller's, checked on every call (owner, expiry) and with its page text unless `withPages` is
 * false. The page text comes from an in-process cache after the first read (document-pages-cache.ts).
 */
export async function loadOwnDocument(
  ctx: AppContext,
  id: string,
  ownerId: string | null,
  { withPages = true }: { withPages?: boolean } = {},
): Promise<{ document: UploadedDocument; pages: IngestedPage[] | null }> {
  const document = isSessionIdShape(id) ? await selectUploadedDocument(ctx.db, id) : null;
  // Another user's document answers exactly like a missing one: knowing an id reveals nothing.
  if (!document || document.ownerId !== ownerId) throw new AppError('DOCUMENT_NOT_FOUND');
  if (document.expired) throw new AppError('DOCUMENT_EXPIRED');
  if (!withPages) return { document, pages: null };
  return { document, pages: await cachedDocumentPages(id, () => selectUploadedDocumentPages(ctx.db, id)) };
}

/** The wire shape of a document (snake_case, as the rest of the API). */
export function presentDocument(document: UploadedDocument) {
  return {
    document_id: document.id,
    filename: document.filename,
    total_pages: document.pageCount,
    ocr_pages: document.ocrPages,
    sha256: document.sha256,
    size_bytes: document.sizeBytes,
    expires_at: document.usedAt ? null : document.expiresAt.toISOString(),
  };
}
