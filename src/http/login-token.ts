/** Where a request carries its login token: a bearer token (scripts) or the login cookie (the browser). */
import type { FastifyRequest } from 'fastify';

/**
 * The login cookie. Its name says "session" for history: it is a wire contract (browsers hold it, the
 * OpenAPI document names it), so it stays `sa_session` although in code a session is an analysis.
 */
export const LOGIN_COOKIE = 'sa_session';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : null;
}

/** The login cookie's token, or null. */
export function loginCookie(request: FastifyRequest): string | null {
  return request.cookies?.[LOGIN_COOKIE] ?? null;
}
