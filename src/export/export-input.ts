/**
 * What every export writer receives: the session row (as the route loads it) and the full result so far.
 * A run is PARTIAL whenever it has not completed: the file name and the content both say so.
 */
import type { EngineName, FullResult } from '../analysis/types.js';

export type SessionStatus = 'queued' | 'active' | 'completed' | 'partial' | 'failed';

export interface ExportSession {
  id: string;
  status: SessionStatus;
  documentName: string;
  createdAt: Date;
  completedAt: Date | null;
  engine: EngineName;
  model: string | null;
  error: string | null;
  owner?: string | null;
}

export interface ExportInput {
  session: ExportSession;
  /** For queued/active/failed sessions: the answers so far; every enabled question is present (null = not answered). */
  result: FullResult;
}

export function isPartialRun(session: Pick<ExportSession, 'status'>): boolean {
  return session.status !== 'completed';
}

/** What every PARTIAL banner starts with, in every format (tests and readers search for it). */
export const PARTIAL_LABEL = 'PARTIAL RESULT';

/** One human line saying how far the run got, e.g. "Stopped by the user (answers found before stopping)". */
export function describeRunStatus(input: ExportInput): string {
  const { session, result } = input;
  switch (session.status) {
    case 'completed':
      return 'Completed';
    case 'queued':
      return 'Queued, not started yet (answers may be missing)';
    case 'active':
      return 'In progress (answers found so far)';
    case 'partial':
      return result.metadata.stopped_reason === 'budget'
        ? 'Stopped: budget cap reached (answers found before stopping)'
        : 'Stopped by the user (answers found before stopping)';
    case 'failed':
      return `Failed: ${session.error ?? 'no reason recorded'} (answers found before the failure)`;
  }
}

/**
 * "PARTIAL RESULT — In progress (answers found so far)" for runs that have not completed, null otherwise.
 * Writers show it prominently so a partial report can never pass for a finished one.
 */
export function describePartialBanner(input: ExportInput): string | null {
  return isPartialRun(input.session) ? `${PARTIAL_LABEL} — ${describeRunStatus(input)}` : null;
}
