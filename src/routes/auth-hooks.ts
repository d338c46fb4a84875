/**
 * Who is asking, and may they? One root hook resolves the caller (bearer token, or the login cookie, or the
 * local user when AUTH=off), enforces sign-in on the API and the admin role on every /api/admin/* route (and on
 * routes that declare `access: 'admin'`, e.g. /metrics), and rejects cookie-authenticated state changes from
 * another origin (CSRF). This hook is the only place access levels are enforced; which session a caller may
 * see is src/http/session-access.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import type { AuthUser } from '../auth/accounts.js';
import { bearerToken, loginCookie } from '../http/login-token.js';

const LOCAL_USER: AuthUser = { id: 'local', email: 'local', role: 'admin' };

/**
 * Route-level access: `public` needs nothing; `user` needs sign-in (default for /api and /metrics); `admin` needs
 * the admin role. Every route under ADMIN_PREFIX is `admin` whatever it declares.
 */
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

/** Every route under this prefix is admin-only (its route pattern, not the raw URL, is checked). */
export const ADMIN_PREFIX = '/api/admin/';

/** The access a request needs: admin routes by their pattern, else what the route declares, else by path. */
function accessOf(request: FastifyRequest, apiPath: boolean): Access {
  // The matched route's pattern: a percent-encoded URL (/api/%61dmin/...) routes to it all the same.
  const route = request.routeOptions.url;
  if (route?.startsWith(ADMIN_PREFIX)) return 'admin';
  return request.routeOptions.config?.access ?? (apiPath ? 'user' : 'public');
}

function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || path === '/metrics';
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
    // The raw path, and the matched route's pattern (which a percent-encoded path also reaches).
    const apiPath = isApiPath(path) || isApiPath(request.routeOptions.url ?? path);
    const access = accessOf(request, apiPath);
    // Pages, static assets and health checks never need the caller: don't spend a token lookup on each of them.
    if (!apiPath) return;

    if (ctx.config.auth.mode === 'off') {
      request.user = LOCAL_USER;
      request.authVia = 'local';
      return;
    }
    const bearer = bearerToken(request);
    const cookie = loginCookie(request);
    const token = bearer ?? cookie ?? null;
    if (token) {
      const user = await ctx.logins.resolve(token); // from memory while LISTEN works (src/auth/login-cache.ts)
      if (user) {
        request.user = { id: user.id, email: user.email, role: user.role };
        request.authVia = bearer ? 'bearer' : 'cookie';
      }
    }
    // A browser sends the cookie with cross-site form posts; scripts use bearer tokens, which a browser never adds.
    if (
      UNSAFE_METHODS.has(request.method) &&
      request.authVia !== 'bearer' &&
      (cookie || access === 'public') &&
      !sameOrigin(request)
    ) {
      if (request.headers.origin || request.headers.referer || request.authVia === 'cookie')
        throw new AppError('CSRF_REJECTED');
    }
    if (access === 'public') return;
    if (!request.user) throw new AppError('AUTH_REQUIRED');
    if (access === 'admin' && request.user.role !== 'admin')
      throw new AppError('FORBIDDEN', 'This needs an administrator account.');
  });
}
