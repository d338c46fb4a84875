/**
 * Riding out a database restart: connection-class failures are retried with back-off for a bounded time,
 * so a run in progress pauses while PostgreSQL is down and carries on when it is back.
 */

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isConnectionError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; message?: string };
  if (e.code && (CONNECTION_ERROR_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  const m = e.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)|Connection ended unexpectedly/i.test(
    m,
  );
}

// How long a run waits for the database to come back before giving the attempt up (the run is retried later).
export const DB_OUTAGE_TOLERANCE_MS = 120_000;
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 3_000;

export async function withDbRetry<T>(
  fn: () => Promise<T>,
  opts: { toleranceMs?: number; signal?: AbortSignal; onRetry?: (err: unknown) => void } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.toleranceMs ?? DB_OUTAGE_TOLERANCE_MS);
  let wait = RETRY_MIN_MS;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() + wait > deadline || opts.signal?.aborted) throw err;
      opts.onRetry?.(err);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, RETRY_MAX_MS);
    }
  }
}
