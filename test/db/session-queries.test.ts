import { describe, expect, it } from 'vitest';
import { selectAnswers, storeAnswers } from '../../src/db/queries/answers.js';
import { createSession } from '../../src/db/queries/create-session.js';
import { appendEvent, cleanupOldEvents, selectEvents } from '../../src/db/queries/events.js';
import { selectLegacyResultText, selectResult, storeResult } from '../../src/db/queries/results.js';
import {
  deleteSession,
  selectQuestionConfig,
  selectSession,
  selectSessions,
  updateSessionStatus,
} from '../../src/db/queries/sessions.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { LeaseLostError } from '../../src/db/fence.js';
import { isSessionIdShape } from '../../src/db/session-ids.js';
import { toLegacyResult } from '../../src/analysis/build-result.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { makeAnswer, makeSessionInput } from '../helpers/factories.js';
import { makeFullResult } from '../export/result-factory.js';

/** Key-sorted JSON: JSONB stores keys in its own order, so "byte-for-byte" is over a canonical form. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

describeEachDatabase('session data (src/db/queries)', ({ db, kind, url }) => {
  describe('sessions', () => {
    it('creates a session with an unguessable URL-safe id and reads it back', async () => {
      const created = await createSession(
        db(),
        makeSessionInput({ pdfFilename: 'Überprüfung – spec.pdf', guardrails: 'only 8" mains' }),
      );
      expect(isSessionIdShape(created.id)).toBe(true);
      expect(Buffer.from(created.id, 'base64url').length).toBeGreaterThanOrEqual(16);
      const got = await selectSession(db(), created.id);
      expect(got).toMatchObject({
        id: created.id,
        status: 'queued',
        pdfFilename: 'Überprüfung – spec.pdf',
        guardrails: 'only 8" mains',
        engine: 'extractive',
        totalQuestions: 6,
      });
      expect(got?.enabledSections).toEqual(['sec_1', 'sec_2']);
      expect((await selectQuestionConfig(db(), created.id))?.sections).toHaveLength(2);
    });

    it('returns null for an unknown session', async () => {
      expect(await selectSession(db(), 'doesnotexistdoesnotexist')).toBeNull();
      expect(await selectResult(db(), 'doesnotexistdoesnotexist')).toBeNull();
    });

    it('never issues the same id twice', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) ids.add((await createSession(db(), makeSessionInput())).id);
      expect(ids.size).toBe(20);
    });

    it('stores the uploaded document bytes with the session in one transaction', async () => {
      const bytes = new Uint8Array(2_500_000).map((_, i) => i % 251);
      const s = await createSession(db(), makeSessionInput({ document: { bytes, pageCount: 7 } }));
      const { selectDocumentBytes, selectDocumentMeta } = await import('../../src/db/queries/documents.js');
      const meta = await selectDocumentMeta(db(), s.id);
      expect(meta).toMatchObject({ sizeBytes: 2_500_000, pageCount: 7 });
      expect(meta?.sha256).toMatch(/^[0-9a-f]{64}$/);
      const back = await selectDocumentBytes(db(), s.id);
      expect(back && Buffer.compare(back, Buffer.from(bytes))).toBe(0);
    });
  });

  describe('status transitions', () => {
    it('moves queued → active → completed and records completion statistics', async () => {
      const s = await createSession(db(), makeSessionInput());
      const active = await updateSessionStatus(db(), s.id, 'active');
      expect(active?.status).toBe('active');
      expect(active?.startedAt).toBeInstanceOf(Date);
      expect(active?.completedAt).toBeNull();
      const full = makeFullResult({ sections: 1, questionsPerSection: 3 });
      const done = await storeResult(db(), s.id, {
        result: full,
        legacy: toLegacyResult(full),
        status: 'completed',
        stats: {
          questionsAnswered: 2,
          totalQuestions: 3,
          processingTime: 12.5,
          totalTokens: 1234,
          estimatedCost: 0.0123,
        },
      });
      expect(done).toMatchObject({
        status: 'completed',
        questionsAnswered: 2,
        totalQuestions: 3,
        processingTime: 12.5,
        totalTokens: 1234,
        estimatedCost: 0.0123,
      });
      expect(done.completedAt).toBeInstanceOf(Date);
    });

    it('records a failure with its reason', async () => {
      const s = await createSession(db(), makeSessionInput());
      const failed = await updateSessionStatus(db(), s.id, 'failed', { errorMessage: 'PDF could not be read' });
      expect(failed).toMatchObject({ status: 'failed', errorMessage: 'PDF could not be read' });
      expect(failed?.completedAt).toBeInstanceOf(Date);
    });

    it('rejects a status outside the state machine', async () => {
      const s = await createSession(db(), makeSessionInput());
      await expect(updateSessionStatus(db(), s.id, 'exploded' as never)).rejects.toThrow();
    });

    it('never leaves a session completed without its result (the write is one transaction)', async () => {
      const s = await createSession(db(), makeSessionInput());
      const full = makeFullResult({ sections: 1, questionsPerSection: 1 });
      // A result the database refuses (NUL characters are not valid in JSONB text) must not complete the session.
      const poisoned = { ...full, document_name: 'bad\u0000name' };
      await expect(
        storeResult(db(), s.id, { result: poisoned, legacy: toLegacyResult(full), status: 'completed', stats: {} }),
      ).rejects.toThrow();
      expect((await selectSession(db(), s.id))?.status).toBe('queued');
      expect(await selectResult(db(), s.id)).toBeNull();
    });

    it('ignores writes fenced by an attempt that no longer owns the run', async () => {
      const s = await createSession(db(), makeSessionInput());
      await db().query("UPDATE sessions SET status = 'active', attempt = 2 WHERE session_id = $1", [s.id]);
      expect(await updateSessionStatus(db(), s.id, 'partial', {}, { attempt: 1 })).toBeNull();
      await expect(storeAnswers(db(), s.id, [makeAnswer('Q1')], { attempt: 1 })).rejects.toBeInstanceOf(LeaseLostError);
      await expect(appendEvent(db(), s.id, 'window_complete', {}, { attempt: 1 })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      expect(await selectAnswers(db(), s.id)).toEqual([]);
      await storeAnswers(db(), s.id, [makeAnswer('Q1')], { attempt: 2 });
      expect(await selectAnswers(db(), s.id)).toHaveLength(1);
      expect((await selectSession(db(), s.id))?.status).toBe('active');
    });
  });

  describe('results', () => {
    it('stores and retrieves the full and legacy result', async () => {
      const s = await createSession(db(), makeSessionInput());
      const full = makeFullResult({ sections: 2, questionsPerSection: 5 });
      const legacy = toLegacyResult(full);
      await storeResult(db(), s.id, { result: full, legacy, status: 'completed', stats: {} });
      const got = await selectResult(db(), s.id);
      expect(got?.resultData).toEqual(full);
      expect(got?.legacyResultData).toEqual(legacy);
      expect(JSON.parse((await selectLegacyResultText(db(), s.id)) ?? 'null')).toEqual(legacy);
    });

    it('round-trips a 300 KB JSONB result byte-for-byte (canonical key order)', async () => {
      const s = await createSession(db(), makeSessionInput());
      const full = makeFullResult({
        sections: 10,
        questionsPerSection: 30,
        overrides: {
          S1Q1: {
            answer: 'Unicode ✓ “quotes” — dashes, emoji 🚧, escapes \\ \n\t and "json"',
            confidence: 0.123456789012345,
          },
        },
      });
      for (const section of full.sections)
        for (const a of section.answers) a.footnote = `${a.footnote ?? ''} ${'lorem ipsum dolor sit amet '.repeat(30)}`;
      const text = JSON.stringify(full);
      expect(text.length).toBeGreaterThan(300_000);
      await storeResult(db(), s.id, { result: full, legacy: toLegacyResult(full), status: 'completed', stats: {} });
      const got = await selectResult(db(), s.id);
      expect(canonicalJson(got?.resultData)).toBe(canonicalJson(full));
    });
  });

  describe('answers', () => {
    it('stores integer page arrays and replaces an answer instead of duplicating it', async () => {
      const s = await createSession(db(), makeSessionInput());
      await storeAnswers(db(), s.id, [
        makeAnswer('Q1', { pages: [1, 2, 300] }),
        makeAnswer('Q2', { answer: null, pages: [], footnote: null, confidence: 0 }),
      ]);
      await storeAnswers(db(), s.id, [makeAnswer('Q1', { pages: [5], answer: 'better' })]);
      const answers = await selectAnswers(db(), s.id);
      expect(answers.map((a) => a.question_id)).toEqual(['Q1', 'Q2']);
      expect(answers[0]).toMatchObject({ answer: 'better', pages: [5] });
      expect(answers[1]).toMatchObject({ answer: null, pages: [] });
      const rows = await db().query<{ pages: number[] }>(
        'SELECT pages FROM accumulated_answers WHERE session_id = $1 ORDER BY question_id',
        [s.id],
      );
      expect(rows.rows.map((r) => r.pages)).toEqual([[5], []]);
    });
  });

  describe('events', () => {
    it('appends events with increasing indexes and lists those after an index', async () => {
      const s = await createSession(db(), makeSessionInput());
      for (const name of [
        'analysis_started',
        'document_ingested',
        'config_loaded',
        'window_processing',
        'window_complete',
      ]) {
        await appendEvent(db(), s.id, name, { note: name });
      }
      const all = await selectEvents(db(), s.id);
      expect(all.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
      expect(all[1]).toMatchObject({ event: 'document_ingested', note: 'document_ingested' });
      expect(new Date(all[0]!.timestamp).toISOString()).toBe(all[0]!.timestamp);
      const after3 = await selectEvents(db(), s.id, 3);
      expect(after3.map((e) => e.event)).toEqual(['window_processing', 'window_complete']);
      expect(await selectEvents(db(), s.id, 5)).toEqual([]);
    });

    it('cleans up events older than 7 days and keeps newer ones and all results', async () => {
      const s = await createSession(db(), makeSessionInput());
      for (let i = 0; i < 4; i++) await appendEvent(db(), s.id, 'window_complete', { i });
      await db().query(
        "UPDATE session_events SET created_at = now() - interval '8 days' WHERE session_id = $1 AND event_index <= 2",
        [s.id],
      );
      await db().query(
        "UPDATE session_events SET created_at = now() - interval '6 days' WHERE session_id = $1 AND event_index = 3",
        [s.id],
      );
      const full = makeFullResult({ sections: 1, questionsPerSection: 1 });
      await storeResult(db(), s.id, { result: full, legacy: toLegacyResult(full), status: 'completed', stats: {} });
      const removed = await cleanupOldEvents(db(), 7);
      expect(removed).toBeGreaterThanOrEqual(2);
      expect((await selectEvents(db(), s.id)).map((e) => e.index)).toEqual([3, 4]);
      expect(await selectResult(db(), s.id)).not.toBeNull();
    });
  });

  describe('listing', () => {
    it('lists newest first with status filter, file-name search, limit, offset and total', async () => {
      const base = Date.parse('2030-01-01T00:00:00Z');
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const s = await createSession(
          db(),
          makeSessionInput({
            pdfFilename: `list-${i % 2 ? 'odd' : 'even'}-${i}.pdf`,
            createdAt: new Date(base + i * 60_000),
          }),
        );
        if (i % 3 === 0) await updateSessionStatus(db(), s.id, 'failed', { errorMessage: 'x' });
        made.push(s.id);
      }
      const page1 = await selectSessions(db(), { q: 'list-', limit: 3, offset: 0 });
      expect(page1.total).toBe(7);
      expect(page1.sessions.map((s) => s.id)).toEqual([made[6], made[5], made[4]]);
      const page3 = await selectSessions(db(), { q: 'list-', limit: 3, offset: 6 });
      expect(page3.sessions.map((s) => s.id)).toEqual([made[0]]);
      const failed = await selectSessions(db(), { q: 'list-', status: 'failed', limit: 10, offset: 0 });
      expect(failed.total).toBe(3);
      expect(failed.sessions.map((s) => s.id)).toEqual([made[6], made[3], made[0]]);
      const odd = await selectSessions(db(), { q: 'LIST-ODD', limit: 10, offset: 0 });
      expect(odd.total).toBe(3);
      const wildcard = await selectSessions(db(), { q: '%', limit: 10, offset: 0 });
      expect(wildcard.total).toBe(0);
    });
  });

  describe('deletion', () => {
    it('cascades a session delete to its result, answers, events and document', async () => {
      const s = await createSession(
        db(),
        makeSessionInput({ document: { bytes: new Uint8Array([37, 80, 68, 70]), pageCount: 1 } }),
      );
      const full = makeFullResult({ sections: 1, questionsPerSection: 1 });
      await storeAnswers(db(), s.id, [makeAnswer('Q1')]);
      await appendEvent(db(), s.id, 'analysis_started');
      await storeResult(db(), s.id, { result: full, legacy: toLegacyResult(full), status: 'completed', stats: {} });
      expect(await deleteSession(db(), s.id)).toBe(true);
      for (const table of [
        'analysis_results',
        'accumulated_answers',
        'session_events',
        'session_documents',
        'session_document_chunks',
      ]) {
        const r = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE session_id = $1`, [
          s.id,
        ]);
        expect(r.rows[0]?.n, table).toBe(0);
      }
      expect(await deleteSession(db(), s.id)).toBe(false);
    });
  });

  describe('concurrency', () => {
    it('lets two concurrent writers append events and answers without collisions or losses', async () => {
      const s = await createSession(db(), makeSessionInput());
      // Two independent handles: on PostgreSQL a second pool (like a second process); PGlite has one connection.
      const second =
        kind === 'postgres'
          ? createPgDatabase({ url: url()!, directUrl: null, poolMax: 4, statementTimeoutMs: 10_000, ssl: 'auto' })
          : db();
      try {
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < 25; i++) {
          writes.push(appendEvent(db(), s.id, 'window_complete', { writer: 'a', i }));
          writes.push(appendEvent(second, s.id, 'window_complete', { writer: 'b', i }));
          writes.push(storeAnswers(db(), s.id, [makeAnswer(`A${i}`)]));
          writes.push(storeAnswers(second, s.id, [makeAnswer(`B${i}`), makeAnswer(`A${i}`, { answer: 'from b' })]));
        }
        await Promise.all(writes);
        const events = await selectEvents(db(), s.id);
        expect(events.map((e) => e.index)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const answers = await selectAnswers(db(), s.id);
        expect(answers).toHaveLength(50);
        expect(new Set(answers.map((x) => x.question_id)).size).toBe(50);
      } finally {
        if (second !== db()) await second.close();
      }
    });
  });
});
