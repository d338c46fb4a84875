/**
 * A worker's writes are fenced by its attempt number: when another process has taken over the lease, the
 * session's attempt has moved on and the stale worker's writes change nothing.
 */
import type { Queryable } from './database.js';

export interface Fence {
  attempt: number;
}

export class LeaseLostError extends Error {
  constructor(sessionId: string) {
    super(`lease on session ${sessionId} was lost (taken over, stopped or finished elsewhere)`);
    this.name = 'LeaseLostError';
  }
}

/** Inside a transaction: lock the session row iff this attempt still owns the run; else throw LeaseLostError. */
export async function assertFence(tx: Queryable, sessionId: string, fence: Fence | undefined): Promise<void> {
  if (!fence) return;
  const r = await tx.query('SELECT 1 FROM sessions WHERE session_id = $1 AND attempt = $2 AND status = $3 FOR UPDATE', [
    sessionId,
    fence.attempt,
    'active',
  ]);
  if (r.rowCount === 0) throw new LeaseLostError(sessionId);
}
