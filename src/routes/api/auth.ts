/** Sign in (cookie + bearer token), check, and sign out. Login sessions live in the database. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { signIn, signOut } from '../../auth/accounts.js';
import { SESSION_COOKIE } from '../auth-hooks.js';

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    expires: expiresAt,
  });
}

export async function authRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Body: { email: string; password: string } }>(
    '/api/authenticate',
    {
      config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password: sets an httpOnly cookie and returns a bearer token for scripts',
        body: {
          type: 'object',
          required: ['email', 'password'],
          properties: { email: { type: 'string', minLength: 3, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
      },
    },
    async (request, reply) => {
      if (ctx.config.auth.mode === 'off') throw new AppError('VALIDATION_FAILED', 'Sign-in is disabled (AUTH=off): this server has a single local user.');
      const r = await signIn(ctx.db, { email: request.body.email, password: request.body.password, userAgent: request.headers['user-agent'] ?? null, ttlHours: ctx.config.auth.loginTtlHours });
      setSessionCookie(request, reply, r.token, r.expiresAt);
      request.log.info({ userId: r.user.id }, 'signed in');
      return { success: true, token: r.token, expires_at: r.expiresAt.toISOString(), user: { email: r.user.email, role: r.user.role } };
    },
  );

  app.post('/api/verify-session', { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'Who am I? 401 AUTH_REQUIRED when not signed in' } }, async (request) => {
    if (!request.user) throw new AppError('AUTH_REQUIRED');
    return { success: true, user: { email: request.user.email, role: request.user.role }, auth: ctx.config.auth.mode };
  });

  app.post('/api/logout', { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'Sign out: revokes the login session and clears the cookie' } }, async (request, reply) => {
    const h = request.headers.authorization;
    const token = (h && /^Bearer\s+(\S+)$/i.exec(h)?.[1]) || request.cookies?.[SESSION_COOKIE];
    if (token && ctx.config.auth.mode === 'on') {
      await signOut(ctx.db, token);
      ctx.logins.forgetToken(token); // at once here; other processes hear the trigger's NOTIFY
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { success: true };
  });
}
