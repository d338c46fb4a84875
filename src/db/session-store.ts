/**
 * The session store: the typed successor of the old plan's `SessionDatabase`. Every operation the app needs
 * on sessions, results, answers and events, with writes that belong together in one transaction (a session
 * is never `completed` without its result) and optional attempt fencing for the job runner's writes.
 */
import { createHash } from 'node:crypto';
import type { Database } from './database.js';
import { assertFence, LeaseLostError, type Fence } from './fence.js';
import { createSessionId } from './session-ids.js';
import {
  deleteSession,
  insertSession,
  selectQuestionConfig,
  selectSession,
  selectSessions,
  updateSessionStatus,
  type InsertSessionInput,
  type ListSessionsQuery,
  type Session,
  type SessionStats,
  type SessionStatus,
} from './queries/sessions.js';
import { selectLegacyResultText, selectResult, upsertResult, type StoredResult } from './queries/results.js';
import { selectAnswers, upsertAnswers } from './queries/answers.js';
import { cleanupOldEvents, insertEvent, selectEvents, type StoredEvent } from './queries/events.js';
import { insertDocument, updateDocumentPages } from './queries/documents.js';
import { copyDocumentToSession } from './queries/uploaded-documents.js';
import { insertSessionAlias } from './queries/session-aliases.js';
import { AppError } from '../errors.js';
import type { IngestedPage } from '../ingest/types.js';
import type { FullResult, LegacyResult, QuestionAnswer } from '../analysis/types.js';

export type { Session, SessionStatus, SessionStats, StoredEvent, StoredResult, ListSessionsQuery };

export interface CreateSessionInput extends Omit<InsertSessionInput, 'id' | 'maxAttempts'> {
  maxAttempts?: number;
  /** The uploaded PDF, stored with the session in the same transaction. */
  document?: { bytes: Uint8Array; pageCount: number; pages?: IngestedPage[] };
  /** Or an uploaded document (POST /api/documents), copied into the session in the same transaction. */
  documentId?: string;
  /** A client-chosen id (the original front end's), recorded for the owner in the same transaction. */
  alias?: string;
}

export class SessionStore {
  constructor(readonly db: Database) {}

  /** Session row + uploaded document, atomically: either both are durable or neither exists. */
  async createSession(input: CreateSessionInput): Promise<Session> {
    const id = createSessionId();
    const { document: _document, documentId, alias, ...row } = input;
    return this.db.transaction(async (tx) => {
      const session = await insertSession(tx, { ...row, id, maxAttempts: input.maxAttempts ?? 3 });
      // Taken: the whole transaction rolls back, so no session runs under an id its client cannot use.
      if (alias !== undefined && !(await insertSessionAlias(tx, alias, input.ownerId, id))) throw new AppError('SESSION_ALIAS_TAKEN');
      if (input.document) {
        const sha256 = createHash('sha256').update(input.document.bytes).digest('hex');
        await insertDocument(tx, id, { filename: input.pdfFilename, bytes: input.document.bytes, sha256, pageCount: input.document.pageCount });
        if (input.document.pages) await updateDocumentPages(tx, id, input.document.pages);
      } else if (documentId) {
        await copyDocumentToSession(tx, documentId, id);
      }
      return session;
    });
  }

  getSession(id: string): Promise<Session | null> {
    return selectSession(this.db, id);
  }

  getQuestionConfig(id: string) {
    return selectQuestionConfig(this.db, id);
  }

  /** Change status (with completion statistics). With a fence, a stale worker changes nothing (returns null). */
  updateStatus(id: string, status: SessionStatus, stats?: SessionStats, fence?: Fence): Promise<Session | null> {
    return updateSessionStatus(this.db, id, status, stats, fence);
  }

  /**
   * Store the final (or partial) result and the terminal status in one transaction, plus an optional final
   * event. Throws LeaseLostError when fenced and the attempt no longer owns the run.
   */
  async storeResult(
    id: string,
    args: { result: FullResult; legacy: LegacyResult; status: SessionStatus; stats: SessionStats; event?: { event: string; data: Record<string, unknown> } },
    fence?: Fence,
  ): Promise<Session> {
    return this.db.transaction(async (tx) => {
      await assertFence(tx, id, fence);
      await upsertResult(tx, id, args.result, args.legacy);
      const session = await updateSessionStatus(tx, id, args.status, args.stats, fence);
      if (!session) throw new LeaseLostError(id);
      if (args.event) await insertEvent(tx, id, args.event.event, args.event.data);
      return session;
    });
  }

  getResult(id: string): Promise<StoredResult | null> {
    return selectResult(this.db, id);
  }

  getLegacyResultText(id: string): Promise<string | null> {
    return selectLegacyResultText(this.db, id);
  }

  listSessions(query: ListSessionsQuery): Promise<{ sessions: Session[]; total: number }> {
    return selectSessions(this.db, query);
  }

  async storeAnswers(id: string, answers: readonly QuestionAnswer[], fence?: Fence): Promise<void> {
    await this.db.transaction(async (tx) => {
      await assertFence(tx, id, fence);
      await upsertAnswers(tx, id, answers);
    });
  }

  getAnswers(id: string): Promise<QuestionAnswer[]> {
    return selectAnswers(this.db, id);
  }

  async appendEvent(id: string, event: string, data: Record<string, unknown> = {}, fence?: Fence): Promise<StoredEvent | null> {
    if (!fence) return insertEvent(this.db, id, event, data);
    return this.db.transaction(async (tx) => {
      await assertFence(tx, id, fence);
      return insertEvent(tx, id, event, data);
    });
  }

  listEvents(id: string, afterIndex = 0, limit = 1000): Promise<StoredEvent[]> {
    return selectEvents(this.db, id, afterIndex, limit);
  }

  cleanupOldEvents(retentionDays = 7): Promise<number> {
    return cleanupOldEvents(this.db, retentionDays);
  }

  deleteSession(id: string): Promise<boolean> {
    return deleteSession(this.db, id);
  }
}
