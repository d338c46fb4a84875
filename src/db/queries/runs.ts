/**
 * SQL for the job runner: claim runnable sessions (FOR UPDATE SKIP LOCKED), extend leases, release them,
 * and request stops. A claim bumps `attempt`, which fences every later write of the previous owner.
 */
import type { Queryable } from '../database.js';
import { mapSession, SESSION_COLUMNS, type Session, type SessionDbRow } from './sessions.js';

export interface ClaimedRun extends Session {
  failedAttempts: number;
}

/**
 * Claim one runnable session: queued, or active whose lease expired (its process died or released it).
 * Taking over a lease that expired while still owned counts as a failed attempt (the owner crashed);
 * a gracefully released lease (owner NULL) does not.
 * `excludeIds`: runs the caller is executing right now. Their leases can expire while the database is down
 * longer than LEASE_MS; reclaiming one would fence out the caller's own live attempt and throw away the units
 * it finished (and paid for) during the outage, instead of letting it checkpoint them once the database is back.
 */
export async function claimNextRun(
  q: Queryable,
  owner: string,
  leaseMs: number,
  excludeIds: readonly string[] = [],
): Promise<ClaimedRun | null> {
  const r = await q.query<SessionDbRow & { failed_attempts: number; taken_over: boolean }>(
    `WITH next AS (
       SELECT session_id, (status = 'active' AND lease_owner IS NOT NULL) AS taken_over
       FROM sessions
       WHERE run_after <= now()
         AND (status = 'queued' OR (status = 'active' AND (lease_expires_at IS NULL OR lease_expires_at < now())))
         AND NOT (session_id = ANY($3::text[]))
       ORDER BY created_at
       LIMIT 1
       FOR UPDATE SKIP LOCKED
     )
     UPDATE sessions s SET
       status = 'active',
       attempt = s.attempt + 1,
       failed_attempts = s.failed_attempts + CASE WHEN next.taken_over THEN 1 ELSE 0 END,
       lease_owner = $1,
       lease_expires_at = now() + make_interval(secs => $2::double precision / 1000),
       heartbeat_at = now(),
       started_at = COALESCE(s.started_at, now()),
       updated_at = now()
     FROM next
     WHERE s.session_id = next.session_id
     RETURNING ${SESSION_COLUMNS.split(',')
       .map((c) => `s.${c.trim()}`)
       .join(', ')}, s.failed_attempts, next.taken_over`,
    [owner, leaseMs, [...excludeIds]],
  );
  const row = r.rows[0];
  return row ? { ...mapSession(row), failedAttempts: Number(row.failed_attempts) } : null;
}

/** Extend the lease; null when this attempt no longer owns the run. Also reports a pending stop request. */
export async function heartbeatRun(
  q: Queryable,
  sessionId: string,
  attempt: number,
  leaseMs: number,
): Promise<{ stopRequested: boolean } | null> {
  const r = await q.query<{ stop_requested_at: string | null }>(
    `UPDATE sessions SET lease_expires_at = now() + make_interval(secs => $3::double precision / 1000), heartbeat_at = now()
     WHERE session_id = $1 AND attempt = $2 AND status = 'active'
     RETURNING stop_requested_at`,
    [sessionId, attempt, leaseMs],
  );
  const row = r.rows[0];
  return row ? { stopRequested: row.stop_requested_at !== null } : null;
}

/** Give the run back (shutdown) so another process claims it at once; not counted as a failure. */
export async function releaseRun(q: Queryable, sessionId: string, attempt: number): Promise<boolean> {
  const r = await q.query(
    `UPDATE sessions SET lease_owner = NULL, lease_expires_at = now(), updated_at = now()
     WHERE session_id = $1 AND attempt = $2 AND status = 'active'`,
    [sessionId, attempt],
  );
  return r.rowCount > 0;
}

/** The attempt failed with an error: count it, remember why, and make the run claimable again after a back-off. */
export async function retryRunLater(
  q: Queryable,
  sessionId: string,
  attempt: number,
  error: string,
  delayMs: number,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE sessions SET lease_owner = NULL, lease_expires_at = now(), failed_attempts = failed_attempts + 1,
       error_message = $3, run_after = now() + make_interval(secs => $4::double precision / 1000), updated_at = now()
     WHERE session_id = $1 AND attempt = $2 AND status = 'active'`,
    [sessionId, attempt, error, delayMs],
  );
  return r.rowCount > 0;
}

/** Mark a stop request. Returns the status before the request, or null for an unknown session. */
export async function requestStop(
  q: Queryable,
  sessionId: string,
  reason: string,
): Promise<{ status: Session['status']; leaseLive: boolean } | null> {
  const r = await q.query<{ status: Session['status']; lease_live: boolean }>(
    `UPDATE sessions SET stop_requested_at = COALESCE(stop_requested_at, now()), stop_reason = COALESCE(stop_reason, $2), updated_at = now()
     WHERE session_id = $1
     RETURNING status, (lease_owner IS NOT NULL AND lease_expires_at > now()) AS lease_live`,
    [sessionId, reason],
  );
  const row = r.rows[0];
  return row ? { status: row.status, leaseLive: row.lease_live } : null;
}

export async function selectStopRequested(q: Queryable, sessionIds: string[]): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  const r = await q.query<{ session_id: string }>(
    'SELECT session_id FROM sessions WHERE session_id = ANY($1::text[]) AND stop_requested_at IS NOT NULL',
    [sessionIds],
  );
  return r.rows.map((row) => row.session_id);
}

/**
 * Take over a run nobody owns to finalise it here (stop of a queued run, or of one whose owner died): a new
 * attempt fences out any late writer, and a live lease held by `owner` keeps claimNextRun away from it while
 * it is being finalised (a row left claimable would be claimed by a worker, whose attempt would then fence
 * out this finalisation). Should the finaliser die, the lease expires and the next claimer sees the stop
 * request and finalises it.
 */
export async function takeOverForFinalize(
  q: Queryable,
  sessionId: string,
  owner: string,
  leaseMs: number,
): Promise<Session | null> {
  const r = await q.query<SessionDbRow>(
    `UPDATE sessions SET attempt = attempt + 1, status = 'active', lease_owner = $2,
       lease_expires_at = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
     WHERE session_id = $1 AND (status = 'queued' OR (status = 'active' AND (lease_owner IS NULL OR lease_expires_at < now())))
     RETURNING ${SESSION_COLUMNS}`,
    [sessionId, owner, leaseMs],
  );
  return r.rows[0] ? mapSession(r.rows[0]) : null;
}

export async function countRunsByStatus(q: Queryable): Promise<Record<string, number>> {
  const r = await q.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM sessions GROUP BY status',
  );
  return Object.fromEntries(r.rows.map((row) => [row.status, row.n]));
}

/** Runs waiting to be claimed: queued, or active with an expired lease (their worker is gone). */
export async function countClaimableRuns(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM sessions WHERE status = 'queued' OR (status = 'active' AND (lease_expires_at IS NULL OR lease_expires_at < now()))",
  );
  return r.rows[0]?.n ?? 0;
}

/** Inside a transaction: lock the session row iff `attempt` still owns the active run (src/db/fence.ts). */
export async function lockRunIfOwned(tx: Queryable, sessionId: string, attempt: number): Promise<boolean> {
  const r = await tx.query('SELECT 1 FROM sessions WHERE session_id = $1 AND attempt = $2 AND status = $3 FOR UPDATE', [
    sessionId,
    attempt,
    'active',
  ]);
  return r.rowCount > 0;
}
