/**
 * A new analysis: the session row, its uploaded document (bytes, or a copy of one uploaded earlier) and the
 * client's alias, in one transaction — either all are durable or none exists.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../database.js';
import { createSessionId } from '../session-ids.js';
import { insertSession, type InsertSessionInput, type Session } from './sessions.js';
import { insertDocument, updateDocumentPages } from './documents.js';
import { copyDocumentToSession } from './uploaded-documents.js';
import { insertSessionAlias } from './session-aliases.js';
import { AppError } from '../../errors.js';
import type { IngestedPage } from '../../ingest/types.js';

export interface CreateSessionInput extends Omit<InsertSessionInput, 'id' | 'maxAttempts'> {
  maxAttempts?: number;
  /** The uploaded PDF, stored with the session in the same transaction. */
  document?: { bytes: Uint8Array; pageCount: number; pages?: IngestedPage[] };
  /** Or an uploaded document (POST /api/documents), copied into the session in the same transaction. */
  documentId?: string;
  /** A client-chosen id (the original front end's), recorded for the owner in the same transaction. */
  alias?: string;
}

export async function createSession(db: Database, input: CreateSessionInput): Promise<Session> {
  const id = createSessionId();
  const { document: _document, documentId, alias, ...row } = input;
  return db.transaction(async (tx) => {
    const session = await insertSession(tx, { ...row, id, maxAttempts: input.maxAttempts ?? 3 });
    // Taken: the whole transaction rolls back, so no session runs under an id its client cannot use.
    if (alias !== undefined && !(await insertSessionAlias(tx, alias, input.ownerId, id)))
      throw new AppError('SESSION_ALIAS_TAKEN');
    if (input.document) {
      const sha256 = createHash('sha256').update(input.document.bytes).digest('hex');
      await insertDocument(tx, id, {
        filename: input.pdfFilename,
        bytes: input.document.bytes,
        sha256,
        pageCount: input.document.pageCount,
      });
      if (input.document.pages) await updateDocumentPages(tx, id, input.document.pages);
    } else if (documentId) {
      await copyDocumentToSession(tx, documentId, id);
    }
    return session;
  });
}
