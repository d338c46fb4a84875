/**
 * Event fan-out for progress streams. Events live in session_events (any process can serve any session);
 * this hub only tells waiting streams *when* to look. On PostgreSQL it LISTENs (on DATABASE_DIRECT_URL when
 * given, since a PgBouncer transaction-mode pool drops LISTEN); on PGlite notifications are in-process.
 * Without a usable LISTEN connection, streams fall back to short-interval polling.
 */
import type { Database } from '../db/database.js';
import { EVENTS_CHANNEL } from '../db/queries/events.js';

// Polling interval when no notification channel is available: short enough that, with query time and a busy
// machine, an event still reaches a stream on another process within 250 ms (measured p99 with 200 ms: 275 ms);
// each poll is one indexed query per open stream.
export const POLL_INTERVAL_MS = 100;
// With notifications, streams still re-check this often in case one was missed (listener reconnecting).
export const SAFETY_POLL_INTERVAL_MS = 2_000;

export type EventsMode = 'listen' | 'poll';

export class EventHub {
  private readonly waiters = new Map<string, Set<() => void>>();
  private unlisten: (() => Promise<void>) | null = null;
  /** Open progress streams: each is aborted when the process shuts down (endStreams). */
  private readonly streams = new Set<AbortController>();
  private closing = false;
  mode: EventsMode = 'poll';

  constructor(private readonly db: Database) {}

  async start(preferred: EventsMode): Promise<void> {
    if (preferred === 'listen') {
      const unlisten = await this.db
        .listen(EVENTS_CHANNEL, (payload) => this.onNotification(payload))
        .catch(() => null);
      if (unlisten) {
        this.unlisten = unlisten;
        this.mode = 'listen';
      }
    }
  }

  private onNotification(payload: string): void {
    const sessionId = payload.slice(0, payload.lastIndexOf(':'));
    const set = this.waiters.get(sessionId);
    if (!set) return;
    this.waiters.delete(sessionId);
    for (const wake of set) wake();
  }

  /** Resolve when an event for the session is announced, after the polling interval, or on abort. */
  wait(sessionId: string, signal?: AbortSignal): Promise<void> {
    const ms = this.mode === 'listen' ? SAFETY_POLL_INTERVAL_MS : POLL_INTERVAL_MS;
    return new Promise((resolve) => {
      // Already aborted (a stream ended by shutdown while it was querying): an abort listener would never fire.
      if (signal?.aborted) {
        resolve();
        return;
      }
      let set = this.waiters.get(sessionId);
      if (!set) {
        set = new Set();
        this.waiters.set(sessionId, set);
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.get(sessionId)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  /**
   * A progress stream registers for the process's lifetime: `signal` aborts when the process shuts down (at
   * once if it already is), so the stream can end and its client reconnect elsewhere. Call `release` when it ends.
   */
  openStream(): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    if (this.closing) controller.abort();
    else this.streams.add(controller);
    return { signal: controller.signal, release: () => this.streams.delete(controller) };
  }

  /** Shutdown: end every open progress stream, and every one opened from now on. Returns how many were open. */
  endStreams(): number {
    this.closing = true;
    const open = [...this.streams];
    this.streams.clear();
    for (const c of open) c.abort();
    return open.length;
  }

  async stop(): Promise<void> {
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
    await this.unlisten?.().catch(() => undefined);
  }
}

/** LISTEN where it works: PGlite always; PostgreSQL on the direct URL, or on DATABASE_URL unless it is a pooler. */
export function preferredEventsMode(
  database: { kind: 'postgres'; url: string; directUrl: string | null } | { kind: 'pglite' },
  override: 'auto' | EventsMode,
): EventsMode {
  if (override !== 'auto') return override;
  if (database.kind === 'pglite') return 'listen';
  if (database.directUrl) return 'listen';
  // Neon's pooled endpoints carry "-pooler" in the host name; PgBouncer in transaction mode drops LISTEN.
  return /-pooler\./.test(new URL(database.url).hostname) ? 'poll' : 'listen';
}
