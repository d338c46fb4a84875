/** A session's version (status, updated_at, event sequence): what the result cache (src/db/result-cache.ts) keys on. */
import type { Queryable } from '../database.js';
import type { SessionStatus } from './sessions.js';

export interface SessionVersion {
  status: SessionStatus;
  version: string;
  ownerId: string | null;
}

export async function selectSessionVersion(q: Queryable, sessionId: string): Promise<SessionVersion | null> {
  const r = await q.query<{ status: SessionStatus; v: string; owner_id: string | null }>(
    "SELECT status, owner_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || '.' || event_seq AS v FROM sessions WHERE session_id = $1",
    [sessionId],
  );
  const row = r.rows[0];
  return row ? { status: row.status, version: row.v, ownerId: row.owner_id } : null;
}

export async function selectSessionVersions(q: Queryable, sessionIds: string[]): Promise<Map<string, SessionVersion>> {
  const r = await q.query<{ session_id: string; status: SessionStatus; v: string; owner_id: string | null }>(
    "SELECT session_id, status, owner_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || '.' || event_seq AS v FROM sessions WHERE session_id = ANY($1::text[])",
    [sessionIds],
  );
  return new Map(r.rows.map((row) => [row.session_id, { status: row.status, version: row.v, ownerId: row.owner_id }]));
}
