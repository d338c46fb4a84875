/** SQL for analysis_results: the full result and the legacy format, one row per session. */
import type { Database, Queryable } from '../database.js';
import { assertFence, LeaseLostError, type Fence } from '../fence.js';
import { updateSessionStatus, type Session, type SessionStats, type SessionStatus } from './sessions.js';
import { insertEvent } from './events.js';
import type { FullResult, LegacyResult } from '../../analysis/types.js';

export interface StoredResult {
  sessionId: string;
  resultData: FullResult;
  legacyResultData: LegacyResult | null;
  createdAt: Date;
}

export async function upsertResult(
  q: Queryable,
  sessionId: string,
  full: FullResult,
  legacy: LegacyResult,
): Promise<void> {
  await q.query(
    `INSERT INTO analysis_results (session_id, result_data, legacy_result_data)
     VALUES ($1, $2::jsonb, $3::jsonb)
     ON CONFLICT (session_id) DO UPDATE SET result_data = EXCLUDED.result_data,
       legacy_result_data = EXCLUDED.legacy_result_data, created_at = now()`,
    [sessionId, JSON.stringify(full), JSON.stringify(legacy)],
  );
}

export async function selectResult(q: Queryable, sessionId: string): Promise<StoredResult | null> {
  const r = await q.query<{
    session_id: string;
    result_data: FullResult;
    legacy_result_data: LegacyResult | null;
    created_at: string;
  }>('SELECT session_id, result_data, legacy_result_data, created_at FROM analysis_results WHERE session_id = $1', [
    sessionId,
  ]);
  const row = r.rows[0];
  if (!row) return null;
  return {
    sessionId: row.session_id,
    resultData: row.result_data,
    legacyResultData: row.legacy_result_data,
    createdAt: new Date(row.created_at),
  };
}

/** The legacy result as the database's own JSON text: no parse/serialise round trip on the read path. */
export async function selectLegacyResultText(q: Queryable, sessionId: string): Promise<string | null> {
  const r = await q.query<{ t: string | null }>(
    'SELECT legacy_result_data::text AS t FROM analysis_results WHERE session_id = $1',
    [sessionId],
  );
  return r.rows[0]?.t ?? null;
}

/**
 * Store the final (or partial) result and the terminal status in one transaction, plus an optional final
 * event: a session is never `completed` without its result. Throws LeaseLostError when fenced and the
 * attempt no longer owns the run.
 */
export async function storeResult(
  db: Database,
  id: string,
  args: {
    result: FullResult;
    legacy: LegacyResult;
    status: SessionStatus;
    stats: SessionStats;
    event?: { event: string; data: Record<string, unknown> };
  },
  fence?: Fence,
): Promise<Session> {
  return db.transaction(async (tx) => {
    await assertFence(tx, id, fence);
    await upsertResult(tx, id, args.result, args.legacy);
    const session = await updateSessionStatus(tx, id, args.status, args.stats, fence);
    if (!session) throw new LeaseLostError(id);
    if (args.event) await insertEvent(tx, id, args.event.event, args.event.data);
    return session;
  });
}
