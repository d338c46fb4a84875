/**
 * SQL for uploaded documents (POST /api/documents): a PDF validated and parsed once, then used by id for
 * estimates and analyses. Owner-scoped, unique per owner and content hash, expiring unless used.
 */
import type { Queryable } from '../database.js';
import type { IngestedPage } from '../../ingest/types.js';
import type { PageStructure } from '../../ingest/page-structure.js';
import { pagesOfRow, splitPageStructures } from './page-structures.js';
import { DOCUMENT_CHUNK_BYTES } from './documents.js';

/** The document expired or was deleted between validation and the session's transaction (which rolls back). */
export class DocumentUnavailableError extends Error {
  constructor(readonly documentId: string) {
    super(`document ${documentId} is no longer available`);
    this.name = 'DocumentUnavailableError';
  }
}

export interface UploadedDocument {
  id: string;
  ownerId: string | null;
  filename: string;
  sha256: string;
  sizeBytes: number;
  pageCount: number;
  ocrPages: number;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** Past its expiry and never used by an analysis (the row waits for maintenance to delete it). */
  expired: boolean;
}

interface DocumentRow {
  document_id: string;
  owner_id: string | null;
  filename: string;
  sha256: string;
  size_bytes: string | number;
  page_count: number;
  ocr_pages: number;
  created_at: string | Date;
  expires_at: string | Date;
  used_at: string | Date | null;
  expired: boolean;
}

const COLUMNS = `document_id, owner_id, filename, sha256, size_bytes, page_count, ocr_pages, created_at, expires_at, used_at,
  (used_at IS NULL AND expires_at <= now()) AS expired`;

function toDocument(row: DocumentRow): UploadedDocument {
  return {
    id: row.document_id,
    ownerId: row.owner_id,
    filename: row.filename,
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    pageCount: row.page_count,
    ocrPages: row.ocr_pages,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at ? new Date(row.used_at) : null,
    expired: row.expired,
  };
}

export interface InsertUploadedDocumentInput {
  id: string;
  ownerId: string | null;
  filename: string;
  sha256: string;
  bytes: Uint8Array;
  pageCount: number;
  ocrPages: number;
  pages: IngestedPage[] | null;
  ttlMs: number;
}

/**
 * Store a new document with its bytes in chunks. Returns null (and stores nothing) when the owner already has
 * a document with these bytes (a concurrent upload of the same file won the race).
 */
export async function insertUploadedDocument(
  q: Queryable,
  doc: InsertUploadedDocumentInput,
): Promise<UploadedDocument | null> {
  const chunkCount = Math.ceil(doc.bytes.length / DOCUMENT_CHUNK_BYTES);
  const split = doc.pages ? splitPageStructures(doc.pages) : null;
  const r = await q.query<DocumentRow>(
    `INSERT INTO documents (document_id, owner_id, filename, sha256, size_bytes, page_count, ocr_pages, chunk_count, pages, expires_at, page_structure, structure_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, now() + make_interval(secs => $10::double precision / 1000), $11::jsonb, $12)
     ON CONFLICT ((coalesce(owner_id, '')), sha256) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      doc.id,
      doc.ownerId,
      doc.filename,
      doc.sha256,
      doc.bytes.length,
      doc.pageCount,
      doc.ocrPages,
      chunkCount,
      split?.pagesJson ?? null,
      doc.ttlMs,
      split?.structureJson ?? null,
      split?.version ?? null,
    ],
  );
  const row = r.rows[0];
  if (!row) return null;
  for (let i = 0; i < chunkCount; i++) {
    const chunk = doc.bytes.subarray(i * DOCUMENT_CHUNK_BYTES, (i + 1) * DOCUMENT_CHUNK_BYTES);
    await q.query('INSERT INTO document_chunks (document_id, chunk_index, data) VALUES ($1, $2, $3)', [
      doc.id,
      i,
      Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length),
    ]);
  }
  return toDocument(row);
}

/**
 * The owner's document with these bytes, if any, renewed as if uploaded now: the latest file name, and at
 * least `ttlMs` before it expires (an expired one not yet deleted comes back to life: its bytes are intact).
 */
export async function renewDocumentByHash(
  q: Queryable,
  ownerId: string | null,
  sha256: string,
  filename: string,
  ttlMs: number,
): Promise<UploadedDocument | null> {
  const r = await q.query<DocumentRow>(
    `UPDATE documents
        SET filename = $3,
            expires_at = greatest(expires_at, now() + make_interval(secs => $4::double precision / 1000))
      WHERE coalesce(owner_id, '') = coalesce($1::text, '') AND sha256 = $2
      RETURNING ${COLUMNS}`,
    [ownerId, sha256, filename, ttlMs],
  );
  return r.rows[0] ? toDocument(r.rows[0]) : null;
}

export async function selectUploadedDocument(q: Queryable, id: string): Promise<UploadedDocument | null> {
  const r = await q.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE document_id = $1`, [id]);
  return r.rows[0] ? toDocument(r.rows[0]) : null;
}

export async function selectUploadedDocumentPages(q: Queryable, id: string): Promise<IngestedPage[] | null> {
  const r = await q.query<{
    pages: IngestedPage[] | null;
    page_structure: Array<PageStructure | null> | null;
    structure_version: number | null;
  }>('SELECT pages, page_structure, structure_version FROM documents WHERE document_id = $1', [id]);
  return pagesOfRow(r.rows[0]);
}

/**
 * Give a new session its own copy of the document (metadata, page text and bytes, copied inside the database:
 * the bytes never pass through this process) and mark the document used, so it no longer expires.
 * The session keeps its PDF whatever later happens to the document.
 */
export async function copyDocumentToSession(q: Queryable, documentId: string, sessionId: string): Promise<void> {
  const copied = await q.query(
    `INSERT INTO session_documents (session_id, filename, size_bytes, sha256, page_count, chunk_count, pages, page_structure, structure_version)
     SELECT $2, filename, size_bytes, sha256, page_count, chunk_count, pages, page_structure, structure_version FROM documents
      WHERE document_id = $1 AND (used_at IS NOT NULL OR expires_at > now())`,
    [documentId, sessionId],
  );
  if (copied.rowCount === 0) throw new DocumentUnavailableError(documentId);
  await q.query(
    `INSERT INTO session_document_chunks (session_id, chunk_index, data)
     SELECT $2, chunk_index, data FROM document_chunks WHERE document_id = $1 ORDER BY chunk_index`,
    [documentId, sessionId],
  );
  await q.query('UPDATE documents SET used_at = coalesce(used_at, now()) WHERE document_id = $1', [documentId]);
}

/** Maintenance: delete documents past their expiry that no analysis used (bytes cascade). Returns how many. */
export async function deleteExpiredDocuments(q: Queryable): Promise<number> {
  const r = await q.query<{ document_id: string }>(
    'DELETE FROM documents WHERE used_at IS NULL AND expires_at <= now() RETURNING document_id',
  );
  return r.rows.length;
}

/** PDF retention (PDF_RETENTION_DAYS): used documents uploaded before the cutoff go too. Returns how many. */
export async function deleteDocumentsCreatedBefore(q: Queryable, cutoff: Date): Promise<number> {
  const r = await q.query<{ document_id: string }>(
    'DELETE FROM documents WHERE created_at < $1 RETURNING document_id',
    [cutoff],
  );
  return r.rows.length;
}
