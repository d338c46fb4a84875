/** SQL for run_checkpoints: finished (and possibly paid) units of work, so a resumed run skips them. */
import type { Queryable } from '../database.js';
import type { Usage } from '../../analysis/types.js';

export async function insertCheckpoint(
  q: Queryable,
  sessionId: string,
  unitKey: string,
  attempt: number,
  usage: Usage,
): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO run_checkpoints (session_id, unit_key, attempt, prompt_tokens, completion_tokens, cost_usd, llm_calls)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id, unit_key) DO NOTHING`,
    [sessionId, unitKey, attempt, usage.prompt_tokens, usage.completion_tokens, usage.cost_usd, usage.llm_calls],
  );
  return r.rowCount > 0;
}

/**
 * The session's checkpointed unit keys and what they cost. With a pass's prefix, only that pass's checkpoints, their
 * keys returned without the prefix.
 */
export async function selectCheckpoints(
  q: Queryable,
  sessionId: string,
  prefix = '',
): Promise<{ unitKeys: Set<string>; usage: Usage }> {
  const r = await q.query<{
    unit_key: string;
    prompt_tokens: number;
    completion_tokens: number;
    cost_usd: string;
    llm_calls: number;
  }>(
    'SELECT unit_key, prompt_tokens, completion_tokens, cost_usd, llm_calls FROM run_checkpoints WHERE session_id = $1 AND starts_with(unit_key, $2)',
    [sessionId, prefix],
  );
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0, llm_calls: 0 };
  for (const row of r.rows) {
    usage.prompt_tokens += row.prompt_tokens;
    usage.completion_tokens += row.completion_tokens;
    usage.cost_usd += Number(row.cost_usd);
    usage.llm_calls += row.llm_calls;
  }
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  return { unitKeys: new Set(r.rows.map((row) => row.unit_key.slice(prefix.length))), usage };
}
