/** SQL for session_events: the ordered progress log of a run, served to pollers and SSE streams. */
import type { Database, Queryable } from '../database.js';
import { assertFence, type Fence } from '../fence.js';

/** NOTIFY channel carrying "<session_id>:<event_index>" after each committed event. */
export const EVENTS_CHANNEL = 'session_events';

export interface StoredEvent {
  event: string;
  index: number;
  timestamp: string; // ISO UTC
  [key: string]: unknown;
}

function toStoredEvent(row: {
  event_type: string;
  event_index: number;
  event_data: Record<string, unknown>;
  created_at: string | Date;
}): StoredEvent {
  return {
    ...row.event_data,
    event: row.event_type,
    index: row.event_index,
    timestamp: new Date(row.created_at).toISOString(),
  };
}

/**
 * Append an event with the next index. The index comes from a per-session counter bumped in the same
 * statement (row lock), so concurrent appenders never collide; the NOTIFY is delivered on commit.
 */
export async function insertEvent(
  q: Queryable,
  sessionId: string,
  event: string,
  data: Record<string, unknown>,
): Promise<StoredEvent | null> {
  const r = await q.query<{
    event_type: string;
    event_index: number;
    event_data: Record<string, unknown>;
    created_at: string;
  }>(
    `WITH seq AS (
       UPDATE sessions SET event_seq = event_seq + 1 WHERE session_id = $1 RETURNING event_seq
     )
     INSERT INTO session_events (session_id, event_index, event_type, event_data)
     SELECT $1, seq.event_seq, $2, $3::jsonb FROM seq
     RETURNING event_type, event_index, event_data, created_at`,
    [sessionId, event, JSON.stringify(data)],
  );
  const row = r.rows[0];
  if (!row) return null;
  await q.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, `${sessionId}:${row.event_index}`]);
  return toStoredEvent(row);
}

export async function selectEvents(
  q: Queryable,
  sessionId: string,
  afterIndex = 0,
  limit = 1000,
): Promise<StoredEvent[]> {
  const r = await q.query<{
    event_type: string;
    event_index: number;
    event_data: Record<string, unknown>;
    created_at: string;
  }>(
    `SELECT event_type, event_index, event_data, created_at FROM session_events
     WHERE session_id = $1 AND event_index > $2 ORDER BY event_index LIMIT $3`,
    [sessionId, afterIndex, limit],
  );
  return r.rows.map(toStoredEvent);
}

export async function cleanupOldEvents(q: Queryable, retentionDays: number): Promise<number> {
  const r = await q.query<{ removed: number }>('SELECT cleanup_old_events($1) AS removed', [retentionDays]);
  return r.rows[0]?.removed ?? 0;
}

/** Append a progress event; with a fence, only while the attempt still owns the run (else LeaseLostError). */
export async function appendEvent(
  db: Database,
  sessionId: string,
  event: string,
  data: Record<string, unknown> = {},
  fence?: Fence,
): Promise<StoredEvent | null> {
  if (!fence) return insertEvent(db, sessionId, event, data);
  return db.transaction(async (tx) => {
    await assertFence(tx, sessionId, fence);
    return insertEvent(tx, sessionId, event, data);
  });
}
