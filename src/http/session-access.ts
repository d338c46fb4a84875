/**
 * May this caller see this session (analysis)? One policy, used by every route that reads or controls one:
 * a user sees only their own sessions, admins see all, and another user's session answers exactly like a
 * missing one. A session is found by our id or by the caller's own alias (the original front end's
 * client-chosen session_id).
 */
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { isSessionIdShape } from '../db/session-ids.js';
import { selectSession, type Session } from '../db/queries/sessions.js';
import { selectAliasedSessionId } from '../db/queries/session-aliases.js';

// Aliases are 1–128 characters (routes/api/analyze.ts): a longer id cannot be one, so it is not looked up.
const MAX_ALIAS_LENGTH = 128;

/** The owner recorded on new sessions (and documents): the signed-in user (null in single-user AUTH=off mode). */
export function ownerOf(request: FastifyRequest): string | null {
  return request.user && request.authVia !== 'local' ? request.user.id : null;
}

/**
 * A user sees only their own sessions; admins see all. Another user's session answers exactly like a missing
 * one, so knowing an id reveals nothing (no IDOR, no existence oracle).
 */
export function assertCanSee(request: FastifyRequest, session: Pick<Session, 'ownerId'>): void {
  const user = request.user;
  if (!user) throw new AppError('AUTH_REQUIRED');
  if (user.role === 'admin') return;
  if (session.ownerId !== user.id) throw new AppError('SESSION_NOT_FOUND');
}

/** assertCanSee as a boolean: false where it would answer SESSION_NOT_FOUND (other errors still throw). */
export function canSee(request: FastifyRequest, session: Pick<Session, 'ownerId'>): boolean {
  try {
    assertCanSee(request, session);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'SESSION_NOT_FOUND') return false;
    throw err;
  }
}

/**
 * A session by our id, or by the caller's own alias (the original front end's client-chosen session_id).
 * Our ids are tried first; the alias table is read only when that finds nothing the caller may see, so the
 * common path costs nothing extra and one user's alias can never shadow or reveal another's session.
 */
export async function loadVisibleSession(ctx: AppContext, request: FastifyRequest, id: string): Promise<Session> {
  const session = isSessionIdShape(id) ? await selectSession(ctx.db, id) : null;
  if (session && canSee(request, session)) return session;
  const aliased = await resolveSessionAlias(ctx, request, id);
  const byAlias = aliased ? await selectSession(ctx.db, aliased) : null;
  if (!byAlias) throw new AppError('SESSION_NOT_FOUND');
  assertCanSee(request, byAlias);
  return byAlias;
}

/** The caller's alias → our session id (null when the caller has no such alias). */
export async function resolveSessionAlias(
  ctx: AppContext,
  request: FastifyRequest,
  alias: string,
): Promise<string | null> {
  if (!request.user || alias.length > MAX_ALIAS_LENGTH) return null;
  return selectAliasedSessionId(ctx.db, alias, ownerOf(request));
}
