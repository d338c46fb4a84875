/** Fixed-window rate-limit counters shared by every process (migration rate_limits). */
import type { Queryable } from '../database.js';

export interface RateCounter {
  hits: number;
  windowEndsAtMs: number;
}

/**
 * Count one hit in a bucket, atomically: starts a new window of `windowMs` when there is none or the last one
 * has ended at `nowMs`. Concurrent callers in any process each see a distinct count.
 */
export async function incrementRateCounter(
  q: Queryable,
  bucket: string,
  nowMs: number,
  windowMs: number,
): Promise<RateCounter> {
  const r = await q.query<{ hits: number; window_ends_at_ms: string | number }>(
    `INSERT INTO rate_limits AS r (bucket, hits, window_ends_at_ms) VALUES ($1, 1, $2::bigint + $3::bigint)
     ON CONFLICT (bucket) DO UPDATE SET
       hits = CASE WHEN r.window_ends_at_ms <= $2::bigint THEN 1 ELSE r.hits + 1 END,
       window_ends_at_ms = CASE WHEN r.window_ends_at_ms <= $2::bigint THEN $2::bigint + $3::bigint ELSE r.window_ends_at_ms END
     RETURNING hits, window_ends_at_ms`,
    [bucket, Math.floor(nowMs), Math.floor(windowMs)],
  );
  const row = r.rows[0]!;
  return { hits: Number(row.hits), windowEndsAtMs: Number(row.window_ends_at_ms) };
}

/** The bucket's count without counting (0 when it has no live window at `nowMs`). */
export async function readRateCounter(q: Queryable, bucket: string, nowMs: number): Promise<RateCounter> {
  const r = await q.query<{ hits: number; window_ends_at_ms: string | number }>(
    'SELECT hits, window_ends_at_ms FROM rate_limits WHERE bucket = $1 AND window_ends_at_ms > $2::bigint',
    [bucket, Math.floor(nowMs)],
  );
  const row = r.rows[0];
  return row
    ? { hits: Number(row.hits), windowEndsAtMs: Number(row.window_ends_at_ms) }
    : { hits: 0, windowEndsAtMs: 0 };
}

export async function deleteRateCounter(q: Queryable, bucket: string): Promise<void> {
  await q.query('DELETE FROM rate_limits WHERE bucket = $1', [bucket]);
}

/** Drop buckets whose window ended before `nowMs`; returns how many. */
export async function deleteExpiredRateCounters(q: Queryable, nowMs: number): Promise<number> {
  const r = await q.query('DELETE FROM rate_limits WHERE window_ends_at_ms <= $1::bigint', [Math.floor(nowMs)]);
  return r.rowCount;
}
