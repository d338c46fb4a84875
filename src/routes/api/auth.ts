/**
 * Sign in (cookie; a bearer token for scripts that ask), check, and sign out. Logins live in the database
 * (table login_sessions); sign-in attempts are throttled per address and per address+email, shared by every process.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { signIn, signOut } from '../../auth/accounts.js';
import { dummyPasswordHash } from '../../auth/passwords.js';
import type { RateLimitCounters } from '../../auth/rate-limit-counters.js';
import { SignInThrottle, signInThrottledMessage } from '../../auth/sign-in-throttle.js';
import { bearerToken, LOGIN_COOKIE, loginCookie } from '../../http/login-token.js';
import { sendError } from '../error-handler.js';
import { errorResponses, looseObject } from '../schemas.js';

const userSchema = looseObject({ email: z.string(), role: z.string() });
const signInResponse = looseObject({
  success: z.boolean(),
  token: z.string().optional().describe('Only when return_token was true'),
  expires_at: z.string(),
  user: userSchema,
});
const whoAmIResponse = looseObject({ success: z.boolean(), user: userSchema, auth: z.enum(['on', 'off']) });
const signOutResponse = looseObject({ success: z.boolean() });

function setLoginCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(LOGIN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    expires: expiresAt,
  });
}

export async function authRoutes(
  app: FastifyInstance,
  opts: { ctx: AppContext; rateLimits: RateLimitCounters },
): Promise<void> {
  const { ctx } = opts;
  const throttle = new SignInThrottle(opts.rateLimits);
  // The hash an unknown email is checked against is made now, so the first such sign-in is not slower.
  if (ctx.config.auth.mode === 'on') await dummyPasswordHash();

  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/authenticate',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in with email and password: sets an httpOnly cookie; the bearer token is in the reply only when asked for (return_token: true)',
        body: z.object({
          email: z.string().min(3).max(254),
          password: z.string().min(1).max(1024),
          // Scripts ask for the token; the browser page does not, so a script injected into a page can never
          // read a login token from a sign-in reply (the cookie is httpOnly).
          return_token: z.boolean().default(false),
        }),
        response: { 200: signInResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (ctx.config.auth.mode === 'off')
        throw new AppError('VALIDATION_FAILED', 'Sign-in is disabled (AUTH=off): this server has a single local user.');
      const { email, password } = request.body;
      const retryAfterSeconds = await throttle.admit(request.ip, email);
      if (retryAfterSeconds !== null) {
        request.log.info({ ip: request.ip, retryAfterSeconds }, 'sign-in throttled');
        reply.header('retry-after', String(retryAfterSeconds));
        return sendError(reply, new AppError('RATE_LIMITED', signInThrottledMessage(retryAfterSeconds)));
      }
      const r = await signIn(ctx.db, {
        email,
        password,
        userAgent: request.headers['user-agent'] ?? null,
        ttlHours: ctx.config.auth.loginTtlHours,
      });
      await throttle.succeeded(request.ip, email);
      setLoginCookie(request, reply, r.token, r.expiresAt);
      request.log.info({ userId: r.user.id }, 'signed in');
      const user = { email: r.user.email, role: r.user.role };
      const expires_at = r.expiresAt.toISOString();
      return request.body.return_token
        ? { success: true, token: r.token, expires_at, user }
        : { success: true, expires_at, user };
    },
  );

  const whoAmISchema = {
    tags: ['auth'],
    summary: 'Who am I? 401 AUTH_REQUIRED when not signed in',
    response: { 200: whoAmIResponse, ...errorResponses },
  };
  api.post('/api/verify-session', { config: { access: 'public' }, schema: whoAmISchema }, async (request) => {
    if (!request.user) throw new AppError('AUTH_REQUIRED');
    return { success: true, user: { email: request.user.email, role: request.user.role }, auth: ctx.config.auth.mode };
  });

  const signOutSchema = {
    tags: ['auth'],
    summary: 'Sign out: revokes the login and clears the cookie',
    response: { 200: signOutResponse, ...errorResponses },
  };
  api.post('/api/logout', { config: { access: 'public' }, schema: signOutSchema }, async (request, reply) => {
    const token = bearerToken(request) ?? loginCookie(request);
    if (token && ctx.config.auth.mode === 'on') {
      await signOut(ctx.db, token);
      ctx.logins.forgetToken(token); // at once here; other processes hear the trigger's NOTIFY
    }
    reply.clearCookie(LOGIN_COOKIE, { path: '/' });
    return { success: true };
  });
}
