/** SQL for the stored uploads: metadata, the bytes in chunks, and the parsed page text. */
import type { Queryable } from '../database.js';
import type { IngestedPage } from '../../ingest/types.js';
import type { PageStructure } from '../../ingest/page-structure.js';
import { pagesOfRow, splitPageStructures } from './page-structures.js';

// 1 MiB chunks: bounded driver memory per row (pg sends bytea as hex text, 2× the bytes) and cheap streaming.
export const DOCUMENT_CHUNK_BYTES = 1024 * 1024;

export interface DocumentMeta {
  sessionId: string;
  filename: string;
  sizeBytes: number;
  sha256: string;
  pageCount: number;
  createdAt: Date;
  bytesDeletedAt: Date | null;
}

export async function insertDocument(
  q: Queryable,
  sessionId: string,
  doc: { filename: string; bytes: Uint8Array; sha256: string; pageCount: number },
): Promise<void> {
  const chunkCount = Math.ceil(doc.bytes.length / DOCUMENT_CHUNK_BYTES);
  await q.query(
    `INSERT INTO session_documents (session_id, filename, size_bytes, sha256, page_count, chunk_count)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [sessionId, doc.filename, doc.bytes.length, doc.sha256, doc.pageCount, chunkCount],
  );
  for (let i = 0; i < chunkCount; i++) {
    const chunk = doc.bytes.subarray(i * DOCUMENT_CHUNK_BYTES, (i + 1) * DOCUMENT_CHUNK_BYTES);
    await q.query('INSERT INTO session_document_chunks (session_id, chunk_index, data) VALUES ($1, $2, $3)', [
      sessionId,
      i,
      Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length),
    ]);
  }
}

export async function selectDocumentMeta(q: Queryable, sessionId: string): Promise<DocumentMeta | null> {
  const r = await q.query<{
    session_id: string;
    filename: string;
    size_bytes: string | number;
    sha256: string;
    page_count: number;
    created_at: string;
    bytes_deleted_at: string | null;
  }>(
    'SELECT session_id, filename, size_bytes, sha256, page_count, created_at, bytes_deleted_at FROM session_documents WHERE session_id = $1',
    [sessionId],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    sessionId: row.session_id,
    filename: row.filename,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    pageCount: row.page_count,
    createdAt: new Date(row.created_at),
    bytesDeletedAt: row.bytes_deleted_at ? new Date(row.bytes_deleted_at) : null,
  };
}

/** The uploaded bytes, or null when there are none (never stored, or removed by retention). */
export async function selectDocumentBytes(q: Queryable, sessionId: string): Promise<Buffer | null> {
  const r = await q.query<{ data: Uint8Array }>(
    'SELECT data FROM session_document_chunks WHERE session_id = $1 ORDER BY chunk_index',
    [sessionId],
  );
  if (r.rows.length === 0) return null;
  return Buffer.concat(r.rows.map((row) => Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength)));
}

export async function updateDocumentPages(q: Queryable, sessionId: string, pages: IngestedPage[]): Promise<void> {
  const split = splitPageStructures(pages);
  await q.query(
    'UPDATE session_documents SET pages = $2::jsonb, page_structure = $3::jsonb, structure_version = $4 WHERE session_id = $1',
    [sessionId, split.pagesJson, split.structureJson, split.version],
  );
}

export async function selectDocumentPages(q: Queryable, sessionId: string): Promise<IngestedPage[] | null> {
  const r = await q.query<{
    pages: IngestedPage[] | null;
    page_structure: Array<PageStructure | null> | null;
    structure_version: number | null;
  }>('SELECT pages, page_structure, structure_version FROM session_documents WHERE session_id = $1', [sessionId]);
  return pagesOfRow(r.rows[0]);
}

/**
 * Only the given pages of a session's document (text, no structure): checking a reviewer's edit against its
 * pages needs a few pages, not the whole page text of a long manual.
 */
export async function selectDocumentPagesByNumber(
  q: Queryable,
  sessionId: string,
  pageNumbers: readonly number[],
): Promise<IngestedPage[]> {
  if (pageNumbers.length === 0) return [];
  const r = await q.query<{ page: IngestedPage }>(
    `SELECT p AS page FROM session_documents d, jsonb_array_elements(d.pages) AS p
     WHERE d.session_id = $1 AND (p ->> 'pageNumber')::int = ANY($2::int[])
     ORDER BY (p ->> 'pageNumber')::int`,
    [sessionId, [...pageNumbers]],
  );
  return r.rows.map((row) => row.page);
}

/** PDF retention: remove the bytes of uploads older than the cutoff; results and page text stay. */
export async function deleteDocumentBytesOlderThan(q: Queryable, cutoff: Date): Promise<number> {
  const r = await q.query<{ session_id: string }>(
    `UPDATE session_documents d SET bytes_deleted_at = now()
     FROM sessions s
     WHERE d.session_id = s.session_id AND d.bytes_deleted_at IS NULL AND d.created_at < $1
       AND s.status IN ('completed', 'partial', 'failed')
     RETURNING d.session_id`,
    [cutoff],
  );
  if (r.rows.length > 0) {
    await q.query('DELETE FROM session_document_chunks WHERE session_id = ANY($1::text[])', [
      r.rows.map((row) => row.session_id),
    ]);
  }
  return r.rows.length;
}
