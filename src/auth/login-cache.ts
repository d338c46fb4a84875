/**
 * Signed-in requests resolve their token (bearer or cookie) from process memory instead of a query per
 * request — but the database stays the source of truth, exactly as for finished results
 * (src/db/result-cache.ts, FinishedSessionVersions):
 * - The login_change_notify migration makes the database announce every change that can end or alter a login (sign-out
 * or
 *   revocation, password reset, role or email change, user deletion; by the app, the CLI or raw SQL) on the
 *   `login_changed` channel with the user's id, and every login of that user is forgotten when it arrives.
 * - A remembered login is trusted only while the LISTEN connection that was up when it was read is still the
 *   one listening (Database.listenerEpoch(): null while it is down or silently stopped delivering, a new
 *   number after a reconnect, since notifications in between are lost), and a login read while any
 *   notification arrived is not kept (it may predate it). Without LISTEN every request asks the database.
 * - Never past the login's own expiry, and at most MAX_TRUST_MS after it was read (a bound on the damage of
 *   a change the triggers do not see, e.g. a restored backup).
 * The process that signs a token out forgets it at once; other processes within the notification latency.
 * Only successful resolutions are kept: an unknown token always asks the database.
 */
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/database.js';
import { LOGIN_CHANGED_CHANNEL } from '../db/queries/users.js';
import { hashToken, isTokenShape, resolveTokenHash, type AuthUser } from './accounts.js';

export type ResolvedLogin = AuthUser & { expiresAt: Date };

// Bound on remembered logins (~300 bytes each, ~3 MB); the least recently used are forgotten first.
const MAX_REMEMBERED_LOGINS = 10_000;
// A remembered login is re-checked by query at least this often (5 minutes), whatever the notifications say.
const MAX_TRUST_MS = 5 * 60_000;

interface RememberedLogin {
  login: ResolvedLogin;
  epoch: number;
  /** Date.now() after which the login is read from the database again. */
  trustUntilMs: number;
}

export class LoginCache {
  // Keyed by the token itself: a hit costs no sha256 (the token only ever lives in this process's memory, as in
  // every request carrying it; the database stores only its hash).
  private readonly remembered: LRUCache<string, RememberedLogin>;
  private unlisten: (() => Promise<void>) | null = null;
  // Notifications received (and local sign-outs) so far: a login read while one arrived is not kept.
  private notifications = 0;

  constructor(
    private readonly db: Database,
    maxEntries = MAX_REMEMBERED_LOGINS,
  ) {
    this.remembered = new LRUCache<string, RememberedLogin>({ max: maxEntries });
  }

  /** Subscribe to login change notifications; false (every request asks the database) without LISTEN. */
  async start(): Promise<boolean> {
    if (this.unlisten) return true;
    this.unlisten = await this.db.listen(LOGIN_CHANGED_CHANNEL, (userId) => this.forgetUser(userId)).catch(() => null);
    return this.unlisten !== null;
  }

  async stop(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = null;
    this.remembered.clear();
    await unlisten?.().catch(() => undefined);
  }

  /** Every login of this user changed (a notification, or this process changed it). */
  forgetUser(userId: string): void {
    this.notifications += 1;
    const keys: string[] = [];
    for (const [key, r] of this.remembered.entries()) if (r.login.id === userId) keys.push(key);
    for (const key of keys) this.remembered.delete(key);
  }

  /** This process signed the token out: forget it now (its own notification comes later). */
  forgetToken(token: string): void {
    this.notifications += 1;
    this.remembered.delete(token);
  }

  /** The signed-in user for a bearer/cookie token, or null (unknown, revoked or expired). */
  async resolve(token: string): Promise<ResolvedLogin | null> {
    if (!isTokenShape(token)) return null;
    const epoch = this.unlisten ? this.db.listenerEpoch() : null;
    if (epoch !== null) {
      const hit = this.remembered.get(token);
      if (hit && hit.epoch === epoch && Date.now() < hit.trustUntilMs) return hit.login;
      if (hit) this.remembered.delete(token);
    }
    const seen = this.notifications;
    const login = await resolveTokenHash(this.db, hashToken(token));
    if (login && epoch !== null && this.notifications === seen && this.db.listenerEpoch() === epoch) {
      this.remembered.set(token, {
        login,
        epoch,
        trustUntilMs: Math.min(login.expiresAt.getTime(), Date.now() + MAX_TRUST_MS),
      });
    }
    return login;
  }

  /** Logins held in memory now (tests, metrics). */
  get size(): number {
    return this.remembered.size;
  }
}
