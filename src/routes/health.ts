/** Liveness (`/health`: the process answers) and readiness (`/ready`: database reachable, migrations applied). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { pendingMigrations } from '../db/migrate.js';

// A database that does not answer a trivial query within this long counts as down for readiness.
const READY_DB_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export async function healthRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.get('/health', async () => ({ success: true, status: 'ok', uptime_s: Math.round(process.uptime()) }));

  app.get('/ready', async (request, reply) => {
    try {
      const pending = await withTimeout(pendingMigrations(ctx.db), READY_DB_TIMEOUT_MS);
      if (pending.length > 0) {
        return reply
          .code(503)
          .send({ success: false, code: 'NOT_READY', error: `Database migrations not applied: ${pending.join(', ')}` });
      }
      return { success: true, status: 'ready', database: ctx.db.kind };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({
        success: false,
        code: 'DATABASE_UNAVAILABLE',
        error: `Database unreachable: ${(err as Error).message}`,
      });
    }
  });
}
