/**
 * GET /api/results/:id bodies, encoded once per session version and shared by every reader (src/db/result-cache.ts
 * says when a version may be trusted). Access is checked on every read, before and after the cache: cached
 * bytes are never served to someone who may not see them.
 */
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { isSessionIdShape } from '../db/session-ids.js';
import { VersionedCache } from '../db/result-cache.js';
import type { Session } from '../db/queries/sessions.js';
import { loadSessionResult } from '../sessions/load-session-result.js';
import { assertCanSee, canSee, resolveSessionAlias } from './session-access.js';
import { sessionResultBody } from './session-presenter.js';

export interface CachedResultBody {
  /** Encoded once: sending a Buffer skips the per-request UTF-8 encoding and length count of a string. */
  body: Buffer;
  etag: string;
  /** Checked on every read, cache hit or not: the bytes are shared by all readers. */
  ownerId: Session['ownerId'];
}

export class SessionResultCache {
  private readonly cache = new VersionedCache<CachedResultBody>();

  constructor(private readonly ctx: AppContext) {}

  /** The result body of a session the caller may see, by our id or the caller's alias; else SESSION_NOT_FOUND. */
  async read(request: FastifyRequest, requestedId: string): Promise<CachedResultBody> {
    const { ctx } = this;
    let id = requestedId;
    let version = isSessionIdShape(id) ? await ctx.sessionVersions.read(id) : null;
    if (!version || !canSee(request, version)) {
      // Not ours to see by that id: perhaps the caller's alias (the original front end's session_id).
      const aliased = await resolveSessionAlias(ctx, request, id);
      if (aliased) {
        id = aliased;
        version = await ctx.sessionVersions.read(id);
      }
    }
    if (!version) throw new AppError('SESSION_NOT_FOUND');
    assertCanSee(request, version); // before the cache: a cached body is never served to someone who may not see it
    const etag = `"${version.version}"`;
    const entry = await this.cache.get(id, version, async () => {
      const r = await loadSessionResult(ctx.db, id);
      const body = Buffer.from(JSON.stringify(sessionResultBody(r)));
      return { value: { body, etag, ownerId: r.session.ownerId }, bytes: body.length };
    });
    if (!entry) throw new AppError('SESSION_NOT_FOUND');
    assertCanSee(request, entry);
    return entry;
  }
}
