/** SQL for session_aliases: a client-chosen session id (the original front end's "session_<ms>") per owner. */
import type { Queryable } from '../database.js';

/** Record an alias; false when the owner already uses it (for this or another session). */
export async function insertSessionAlias(
  q: Queryable,
  alias: string,
  ownerId: string | null,
  sessionId: string,
): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO session_aliases (alias, owner_id, session_id) VALUES ($1, $2, $3)
     ON CONFLICT ((coalesce(owner_id, '')), alias) DO NOTHING`,
    [alias, ownerId, sessionId],
  );
  return r.rowCount > 0;
}

/** The session an owner's alias names, or null. Another owner's alias is not found. */
export async function selectAliasedSessionId(
  q: Queryable,
  alias: string,
  ownerId: string | null,
): Promise<string | null> {
  const r = await q.query<{ session_id: string }>(
    "SELECT session_id FROM session_aliases WHERE coalesce(owner_id, '') = coalesce($2::text, '') AND alias = $1",
    [alias, ownerId],
  );
  return r.rows[0]?.session_id ?? null;
}
