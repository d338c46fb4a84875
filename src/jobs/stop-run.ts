/**
 * Stop a run from any process: mark the request in the database, then either finalise it here (queued, or
 * nobody holds a live lease), abort it here (this process runs it), or let its owner's heartbeat pick the
 * request up (≤ 1 s). Waits up to 2 s for the session to become terminal. Idempotent.
 */
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { requestStop, takeOverForFinalize } from '../db/queries/runs.js';
import { selectSession, TERMINAL_STATUSES, type SessionStatus } from '../db/queries/sessions.js';
import { finalizeStopped } from './execute-run.js';
import { withDbRetry } from '../db/retry.js';
import { LeaseLostError } from '../db/fence.js';

const STOP_WAIT_MS = 2_000;
const STOP_POLL_MS = 50;

export interface StopOutcome {
  status: SessionStatus;
  alreadyFinished: boolean;
  message: string;
}

/** Points where a test makes another process act at a chosen moment (forcing a race's interleaving). */
export interface StopRunInterleaving {
  afterStopRequested?: () => Promise<void>;
  afterTakeOver?: () => Promise<void>;
}

export async function stopRun(
  ctx: AppContext,
  sessionId: string,
  interleaving: StopRunInterleaving = {},
): Promise<StopOutcome> {
  const before = await selectSession(ctx.db, sessionId);
  if (!before) throw new AppError('SESSION_NOT_FOUND');
  if (TERMINAL_STATUSES.includes(before.status)) {
    return {
      status: before.status,
      alreadyFinished: true,
      message: `The analysis had already finished (${before.status}); nothing to stop.`,
    };
  }
  const req = await requestStop(ctx.db, sessionId, 'user');
  if (!req) throw new AppError('SESSION_NOT_FOUND');
  await interleaving.afterStopRequested?.();

  if (!ctx.worker?.abortLocal(sessionId, 'user') && (req.status === 'queued' || !req.leaseLive)) {
    // Nobody is running it: finalise here, fenced by a fresh attempt so a late claimer changes nothing.
    const taken = await takeOverForFinalize(ctx.db, sessionId, ctx.instanceId, ctx.config.runs.leaseMs);
    await interleaving.afterTakeOver?.();
    try {
      if (taken) await withDbRetry(() => finalizeStopped({ ctx }, taken, { attempt: taken.attempt }));
    } catch (err) {
      // Someone else owns the run now (a claimer after our lease expired): it sees the stop request and ends
      // the run itself; wait for that below instead of answering 500.
      if (!(err instanceof LeaseLostError)) throw err;
    }
  }

  const deadline = Date.now() + STOP_WAIT_MS;
  for (;;) {
    const s = await selectSession(ctx.db, sessionId);
    if (!s) throw new AppError('SESSION_NOT_FOUND');
    if (TERMINAL_STATUSES.includes(s.status)) {
      return {
        status: s.status,
        alreadyFinished: false,
        message:
          s.status === 'partial'
            ? 'Stopped; every answer found so far is kept.'
            : `The analysis finished (${s.status}).`,
      };
    }
    if (Date.now() > deadline) {
      return { status: s.status, alreadyFinished: false, message: 'Stop requested; the run is winding down.' };
    }
    await new Promise((r) => setTimeout(r, STOP_POLL_MS));
  }
}
