/**
 * Who is asking, and may they? One root hook resolves the caller (bearer token, or the login cookie, or the
 * local user when AUTH=off), enforces sign-in on the API, and rejects cookie-authenticated state changes from
 * another origin (CSRF). Routes then call ownerOf / assertCanSee / requireAdmin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import type { AuthUser } from '../auth/accounts.js';
import type { Session } from '../db/queries/sessions.js';

export const SESSION_COOKIE = 'sa_session';
const LOCAL_USER: AuthUser = { id: 'local', email: 'local', role: 'admin' };

/** Route-level access: `public` needs nothing; `user` needs sign-in (default for /api and /metrics); `admin` needs the admin role. */
export type Access = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    authVia: 'bearer' | 'cookie' | 'local' | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : null;
}

/** Same-origin check for cookie-authenticated state changes: Origin (or Referer) must name this host. */
function sameOrigin(request: FastifyRequest): boolean {
  const source = request.headers.origin ?? request.headers.referer;
  if (!source || source === 'null') return false;
  try {
    // Compare normalised origins (URL drops default ports: "http://h:80" is "http://h").
    return new URL(source).origin === new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return false;
  }
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);

  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const apiPath = path.startsWith('/api/') || path === '/metrics';
    const declared = request.routeOptions.config?.access;
    const access: Access = declared ?? (apiPath ? 'user' : 'public');
    // Pages, static assets and health checks never need the caller: don't spend a token lookup on each of them.
    if (!apiPath) return;

    if (ctx.config.auth.mode === 'off') {
      request.user = LOCAL_USER;
      request.authVia = 'local';
      return;
    }
    const bearer = bearerToken(request);
    const cookie = request.cookies?.[SESSION_COOKIE];
    const token = bearer ?? cookie ?? null;
    if (token) {
      const user = await ctx.logins.resolve(token); // from memory while LISTEN works (src/auth/login-cache.ts)
      if (user) {
        request.user = { id: user.id, email: user.email, role: user.role };
        request.authVia = bearer ? 'bearer' : 'cookie';
      }
    }
    // A browser sends the cookie with cross-site form posts; scripts use bearer tokens, which a browser never adds.
    if (UNSAFE_METHODS.has(request.method) && request.authVia !== 'bearer' && (cookie || access === 'public') && !sameOrigin(request)) {
      if (request.headers.origin || request.headers.referer || request.authVia === 'cookie') throw new AppError('CSRF_REJECTED');
    }
    if (access === 'public') return;
    if (!request.user) throw new AppError('AUTH_REQUIRED');
    if (access === 'admin' && request.user.role !== 'admin') throw new AppError('FORBIDDEN', 'This needs an administrator account.');
  });
}

/** The owner recorded on new sessions: the signed-in user (null in single-user AUTH=off mode). */
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

/** Admin-only routes (the whole admin API). */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (!request.user) throw new AppError('AUTH_REQUIRED');
  if (request.user.role !== 'admin') throw new AppError('FORBIDDEN', 'This needs an administrator account.');
}
