/**
 * When to try an LLM call again. Servers that say when (Retry-After on 429/503) are obeyed up to a cap;
 * otherwise exponential backoff with jitter, so many runs hitting one rate limit do not retry in lockstep.
 */
import { AppError } from '../../errors.js';

/** Longest we ever wait between attempts, even if Retry-After asks for more: a stuck run is worse than one more 429. */
export const MAX_RETRY_WAIT_MS = 60_000;
/** First backoff step when the server gives no Retry-After; doubles per attempt. */
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
/** Jitter added on top of a server-given Retry-After, so concurrent callers do not all return in the same tick. */
const RETRY_AFTER_JITTER_MS = 250;

/**
 * Retry-After as milliseconds from `now`: delta-seconds ("2", "1.5") or an HTTP date. Null when absent or unreadable.
 */
export function parseRetryAfterMs(header: string | null | undefined, now: number = Date.now()): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (value === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * Wait before retry number `attempt` (0 = the first retry). Retry-After wins when present; both are capped.
 * `random` is injectable so tests can pin the jitter.
 */
export function computeRetryDelayMs(
  attempt: number,
  options: { retryAfterMs?: number | null; baseDelayMs?: number; random?: () => number } = {},
): number {
  const random = options.random ?? Math.random;
  if (options.retryAfterMs !== null && options.retryAfterMs !== undefined) {
    return Math.min(MAX_RETRY_WAIT_MS, options.retryAfterMs + Math.floor(random() * RETRY_AFTER_JITTER_MS));
  }
  const base = options.baseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
  const exponential = Math.min(MAX_RETRY_WAIT_MS, base * 2 ** attempt);
  // "Equal jitter": at least half the exponential step, so backoff still grows, plus a random half.
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Sleep that ends early with RUN_ABORTED when the signal aborts: a stopped run never waits out a backoff. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AppError('RUN_ABORTED'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AppError('RUN_ABORTED'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
