/**
 * A finished result never changes, so its encoded JSON can be kept in process memory — but the database stays
 * the source of truth: cached bytes are used only while the session's version (status, updated_at, event
 * sequence) is the one they were built from. Only terminal sessions are cached.
 *
 * How a read learns the version:
 * - A session that is not finished: one tiny indexed query per read (shared between concurrent reads,
 *   SessionVersionReader), since it changes as the run goes.
 * - A finished session, while change notifications reach this process (FinishedSessionVersions): from
 *   memory. Migration 0004 makes the database announce every change to a finished row (a delete, a stop
 *   request, a resume) on the `session_changed` channel, and the version is forgotten when one arrives. It is
 *   trusted only if the LISTEN connection stayed the same and no notification came in while it was read;
 *   if the connection drops, or silently stops delivering (pg-database.ts: it must deliver its own ping
 *   every 2 s), nothing is trusted until a new one is up. On PGlite notifications are in-process;
 *   with no LISTEN (Neon's pooled endpoint without DATABASE_DIRECT_URL) every read asks the database.
 * A change made by another process is therefore seen within the notification latency (~15 ms p50 measured,
 * bench/event-latency), and one made by this process at once (its routes forget the version themselves).
 */
import { LRUCache } from 'lru-cache';
import type { Database, Queryable } from './database.js';
import { TERMINAL_STATUSES } from './queries/sessions.js';
import { selectSessionVersions, type SessionVersion } from './queries/session-versions.js';

// Bound on the cache's memory: ~200 typical 300 KB results; least recently used entries go first.
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface CachedEntry<T> {
  version: string;
  value: T;
  bytes: number;
}

// Most ids checked in one version query under load; the rest go in the next round trip.
const MAX_VERSION_BATCH_IDS = 500;

interface VersionWaiter {
  resolve: (v: SessionVersion | null) => void;
  reject: (err: unknown) => void;
}

/**
 * The per-request version check with shared round trips. Checks asked for in the same event-loop turn go
 * together (any ids) in one query, sent at the end of that turn; checks asked for while a query is in flight
 * go together in the next one. Every caller is still answered by a query sent after it asked — a delete or
 * write committed before the request arrived is always seen — but under load the database sees one query
 * per round trip instead of one per request (bench/http-results.bench.ts: each query costs the server and
 * the database far more CPU than sending the cached bytes; on PGlite it runs on the server's own thread).
 */
export class SessionVersionReader {
  private queued = new Map<string, VersionWaiter[]>();
  private busy = false;

  constructor(private readonly q: Queryable) {}

  read(sessionId: string): Promise<SessionVersion | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.queued.get(sessionId);
      if (waiters) waiters.push({ resolve, reject });
      else this.queued.set(sessionId, [{ resolve, reject }]);
      if (this.busy) return;
      this.busy = true;
      // setImmediate: let the other requests already read from the sockets in this turn join the query.
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queued.size > 0) {
        const batch = new Map<string, VersionWaiter[]>();
        for (const [id, waiters] of this.queued) {
          if (batch.size >= MAX_VERSION_BATCH_IDS) break;
          batch.set(id, waiters);
        }
        for (const id of batch.keys()) this.queued.delete(id);
        try {
          const versions = await selectSessionVersions(this.q, [...batch.keys()]);
          for (const [id, waiters] of batch) for (const w of waiters) w.resolve(versions.get(id) ?? null);
        } catch (err) {
          for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

export const SESSION_CHANGED_CHANNEL = 'session_changed';
// Bound on remembered versions (~100 bytes each); the oldest are forgotten first.
const MAX_TRUSTED_VERSIONS = 50_000;

interface TrustedVersion {
  version: SessionVersion;
  epoch: number;
}

/** Session versions for reads: finished ones from memory while change notifications are reliable (see above). */
export class FinishedSessionVersions {
  private readonly trusted = new Map<string, TrustedVersion>();
  private readonly reader: SessionVersionReader;
  private unlisten: (() => Promise<void>) | null = null;
  // Notifications received (and local changes) so far: a version read while one arrived is not trusted (it
  // may predate it).
  private notifications = 0;

  constructor(
    private readonly db: Database,
    private readonly maxEntries = MAX_TRUSTED_VERSIONS,
  ) {
    this.reader = new SessionVersionReader(db);
  }

  /** Subscribe to change notifications; false (every read asks the database) when LISTEN is not available. */
  async start(): Promise<boolean> {
    if (this.unlisten) return true;
    this.unlisten = await this.db
      .listen(SESSION_CHANGED_CHANNEL, (sessionId) => {
        this.notifications += 1;
        this.trusted.delete(sessionId);
      })
      .catch(() => null);
    return this.unlisten !== null;
  }

  async stop(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = null;
    this.trusted.clear();
    await unlisten?.().catch(() => undefined);
  }

  /**
   * This process changed the session: stop trusting what it remembers (its own notification comes later).
   * Counted like a notification, so a read already in flight, which may have seen the old row, is not
   * trusted either.
   */
  forget(sessionId: string): void {
    this.notifications += 1;
    this.trusted.delete(sessionId);
  }

  async read(sessionId: string): Promise<SessionVersion | null> {
    const epoch = this.unlisten ? this.db.listenerEpoch() : null;
    if (epoch !== null) {
      const hit = this.trusted.get(sessionId);
      if (hit?.epoch === epoch) return hit.version;
      if (hit) this.trusted.delete(sessionId);
    }
    const seen = this.notifications;
    const version = await this.reader.read(sessionId);
    if (
      version &&
      epoch !== null &&
      TERMINAL_STATUSES.includes(version.status) &&
      this.notifications === seen &&
      this.db.listenerEpoch() === epoch
    ) {
      this.trusted.set(sessionId, { version, epoch });
      if (this.trusted.size > this.maxEntries) this.trusted.delete(this.trusted.keys().next().value!);
    }
    return version;
  }

  /** Versions held in memory now (tests, metrics). */
  get size(): number {
    return this.trusted.size;
  }
}

interface InflightLoad<T> {
  version: string;
  promise: Promise<T | null>;
}

/**
 * Values (encoded result bodies) by session, each valid for one session version, bounded by their total
 * bytes (lru-cache does the accounting: replacing or evicting an entry gives its bytes back, so concurrent
 * misses cannot make the budget drift). Concurrent misses for the same session and version share one load.
 */
export class VersionedCache<T> {
  private readonly entries: LRUCache<string, CachedEntry<T>>;
  private readonly inflight = new Map<string, InflightLoad<T>>();

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.entries = new LRUCache<string, CachedEntry<T>>({
      maxSize: maxBytes,
      // One entry may take at most a quarter of the budget, so a few huge results cannot flush everything else.
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
      sizeCalculation: (e) => Math.max(1, e.bytes),
    });
  }

  /**
   * Return the value for `key` at `version.version`, computing it with `load` on a miss. Values of
   * non-terminal sessions are returned but not kept (they change as the run goes).
   */
  get(
    key: string,
    version: SessionVersion,
    load: () => Promise<{ value: T; bytes: number } | null>,
  ): Promise<T | null> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version.version) return Promise.resolve(hit.value);
    if (hit) this.entries.delete(key);
    const running = this.inflight.get(key);
    if (running && running.version === version.version) return running.promise;
    // Registered before the load starts, so even a load that fails at once is cleaned up after itself.
    const own: InflightLoad<T> = { version: version.version, promise: Promise.resolve(null) };
    this.inflight.set(key, own);
    own.promise = (async () => {
      try {
        const loaded = await load();
        if (!loaded) return null;
        // Keep it only if no load for a newer version of the session started meanwhile (that one stores its own).
        if (TERMINAL_STATUSES.includes(version.status) && this.inflight.get(key) === own) {
          this.entries.set(key, { version: version.version, value: loaded.value, bytes: loaded.bytes });
        }
        return loaded.value;
      } finally {
        if (this.inflight.get(key) === own) this.inflight.delete(key);
      }
    })();
    return own.promise;
  }

  evict(key: string): void {
    this.entries.delete(key);
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held: the sum of the held entries' sizes, as lru-cache accounts it. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  /** Bytes of each held entry (tests check the accounting against it). */
  heldBytes(): Map<string, number> {
    return new Map([...this.entries.entries()].map(([k, e]) => [k, e.bytes]));
  }
}
