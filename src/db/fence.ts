/**
 * A worker's writes are fenced by its attempt number: when another process has taken over the lease, the
 * session's attempt has moved on and the stale worker's writes change nothing.
 */
import type { Queryable } from './database.js';
import { lockRunIfOwned } from './queries/runs.js';

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
  if (!(await lockRunIfOwned(tx, sessionId, fence.attempt))) throw new LeaseLostError(sessionId);
}
