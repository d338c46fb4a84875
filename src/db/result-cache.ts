/**
 * A finished result never changes, so its encoded JSON can be kept in process memory — but PostgreSQL stays
 * the source of truth: every read first asks the database (one tiny indexed row) for the session's status and
 * version (updated_at), and the cached bytes are used only while that version matches. A delete, a retention
 * change or another process's write is therefore seen at once. Only terminal sessions are cached.
 */
import type { Queryable } from './database.js';
import { TERMINAL_STATUSES, type SessionStatus } from './queries/sessions.js';

// Bound on the cache's memory: ~200 typical 300 KB results; least recently used entries go first.
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface CachedEntry<T> {
  version: string;
  value: T;
  bytes: number;
}

export interface SessionVersion {
  status: SessionStatus;
  version: string;
}

export async function selectSessionVersion(q: Queryable, sessionId: string): Promise<SessionVersion | null> {
  const r = await q.query<{ status: SessionStatus; v: string }>(
    "SELECT status, to_char(updated_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || '.' || event_seq AS v FROM sessions WHERE session_id = $1",
    [sessionId],
  );
  const row = r.rows[0];
  return row ? { status: row.status, version: row.v } : null;
}

export class VersionedCache<T> {
  private readonly entries = new Map<string, CachedEntry<T>>();
  private totalBytes = 0;
  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /**
   * Return the value for `key` at `version.version`, computing it with `load` on a miss. Values of
   * non-terminal sessions are returned but not kept (they change as the run goes).
   */
  async get(key: string, version: SessionVersion, load: () => Promise<{ value: T; bytes: number } | null>): Promise<T | null> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version.version) {
      this.entries.delete(key); // refresh LRU position
      this.entries.set(key, hit);
      return hit.value;
    }
    if (hit) this.evict(key);
    const loaded = await load();
    if (!loaded) return null;
    if (TERMINAL_STATUSES.includes(version.status) && loaded.bytes <= this.maxBytes / 4) {
      this.entries.set(key, { version: version.version, value: loaded.value, bytes: loaded.bytes });
      this.totalBytes += loaded.bytes;
      for (const k of this.entries.keys()) {
        if (this.totalBytes <= this.maxBytes) break;
        this.evict(k);
      }
    }
    return loaded.value;
  }

  evict(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.totalBytes -= e.bytes;
  }

  get size(): number {
    return this.entries.size;
  }
}
