/** Aggregates for the admin dashboard. */
import type { Queryable } from '../database.js';

export async function selectStatusTotals(q: Queryable): Promise<Record<string, number>> {
  const r = await q.query<{ status: string; n: number; cost: number; tokens: string | number }>(
    'SELECT status, count(*)::int AS n, COALESCE(sum(estimated_cost), 0)::float8 AS cost, COALESCE(sum(total_tokens), 0)::bigint AS tokens FROM sessions GROUP BY status',
  );
  const totals: Record<string, number> = { sessions: 0, queued: 0, active: 0, completed: 0, partial: 0, failed: 0, total_cost: 0, total_tokens: 0 };
  for (const row of r.rows) {
    totals[row.status] = row.n;
    totals.sessions! += row.n;
    totals.total_cost! += Number(row.cost);
    totals.total_tokens! += Number(row.tokens);
  }
  totals.total_cost = Math.round(totals.total_cost! * 1e6) / 1e6;
  return totals;
}

export async function selectDailyTotals(q: Queryable, days: number): Promise<Array<{ day: string; analyses: number; cost: number }>> {
  const r = await q.query<{ day: string; analyses: number; cost: number }>(
    `SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*)::int AS analyses,
            COALESCE(sum(estimated_cost), 0)::float8 AS cost
     FROM sessions WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => $1 - 1)
     GROUP BY 1 ORDER BY 1`,
    [days],
  );
  return r.rows.map((row) => ({ day: row.day, analyses: row.analyses, cost: Math.round(Number(row.cost) * 1e6) / 1e6 }));
}
