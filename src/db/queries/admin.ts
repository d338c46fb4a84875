/** Aggregates for the admin dashboard. */
import type { Queryable } from '../database.js';

export async function selectStatusTotals(q: Queryable): Promise<Record<string, number>> {
  const r = await q.query<{ status: string; n: number; cost: number; tokens: string | number }>(
    'SELECT status, count(*)::int AS n, COALESCE(sum(estimated_cost), 0)::float8 AS cost, COALESCE(sum(total_tokens), 0)::bigint AS tokens FROM sessions GROUP BY status',
  );
  const totals: Record<string, number> = {
    sessions: 0,
    queued: 0,
    active: 0,
    completed: 0,
    partial: 0,
    failed: 0,
    total_cost: 0,
    total_tokens: 0,
  };
  for (const row of r.rows) {
    totals[row.status] = row.n;
    totals.sessions! += row.n;
    totals.total_cost! += Number(row.cost);
    totals.total_tokens! += Number(row.tokens);
  }
  totals.total_cost = Math.round(totals.total_cost! * 1e6) / 1e6;
  return totals;
}

/** One row per UTC day of the last `days` days, oldest first, zero-filled so charts need no gap logic. */
export async function selectDailyTotals(
  q: Queryable,
  days: number,
): Promise<Array<{ day: string; analyses: number; cost: number }>> {
  const r = await q.query<{ day: string; analyses: number; cost: number }>(
    `WITH days AS (
       SELECT generate_series(
         (now() AT TIME ZONE 'UTC')::date - ($1::int - 1),
         (now() AT TIME ZONE 'UTC')::date,
         interval '1 day')::date AS day
     ),
     totals AS (
       SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS analyses, COALESCE(sum(estimated_cost), 0)::float8 AS cost
       FROM sessions
       WHERE created_at >= ((now() AT TIME ZONE 'UTC')::date - ($1::int - 1)) AT TIME ZONE 'UTC'
       GROUP BY 1
     )
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, COALESCE(totals.analyses, 0)::int AS analyses, COALESCE(totals.cost, 0)::float8 AS cost
     FROM days LEFT JOIN totals USING (day) ORDER BY days.day`,
    [days],
  );
  return r.rows.map((row) => ({
    day: row.day,
    analyses: row.analyses,
    cost: Math.round(Number(row.cost) * 1e6) / 1e6,
  }));
}
