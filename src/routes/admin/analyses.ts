/**
 * The admin API: every analysis ever run, a detail view, delete, totals per day, and the old list shape.
 * Admin-only by its path: the auth hook (src/routes/auth-hooks.ts) refuses every /api/admin/* route to non-admins.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { deleteSession, selectSessions, SESSION_STATUSES, type SessionStatus } from '../../db/queries/sessions.js';
import { selectDailyTotals, selectStatusTotals } from '../../db/queries/admin.js';
import { selectDocumentMeta } from '../../db/queries/documents.js';
import { selectEvents } from '../../db/queries/events.js';
import { loadSessionResult } from '../../sessions/load-session-result.js';
import { loadVisibleSession } from '../../http/session-access.js';
import { idParams } from '../../http/route-schemas.js';
import { adminListItem, legacyAdminList } from '../../http/session-presenter.js';
import { legacyWithVariants } from '../../analysis/build-result.js';
import { stopRun } from '../../jobs/stop-run.js';

const MAX_PAGE_SIZE = 200;

export async function adminRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;

  app.get<{ Querystring: { status?: SessionStatus; limit?: number; offset?: number; q?: string } }>(
    '/api/admin/analyses',
    {
      schema: {
        tags: ['admin'],
        summary: 'Every analysis, newest first, with status filter, file-name search and pagination',
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...SESSION_STATUSES, ''] },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 25 },
            offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
            q: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request) => {
      const { status, limit = 25, offset = 0, q } = request.query;
      const { sessions, total } = await selectSessions(ctx.db, { status: status || undefined, q: q?.trim() || undefined, limit, offset });
      return {
        success: true,
        total,
        limit,
        offset,
        sessions: sessions.map(adminListItem),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/admin/analysis/:id',
    { schema: { tags: ['admin'], summary: 'One analysis: summary, result, statistics and events log', params: idParams } },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      const [r, events, doc] = await Promise.all([loadSessionResult(ctx.db, session.id, session), selectEvents(ctx.db, session.id, 0, 5000), selectDocumentMeta(ctx.db, session.id)]);
      const document = doc
        ? { size_bytes: doc.sizeBytes, page_count: doc.pageCount, sha256: doc.sha256, pdf_available: !doc.bytesDeletedAt, deleted_at: doc.bytesDeletedAt?.toISOString() ?? null }
        : { pdf_available: false, deleted_at: null };
      return { success: true, session: adminListItem(session), document, result: legacyWithVariants(r.full, r.legacy), full_result: r.full, statistics: r.statistics, events, pdf_retention_days: ctx.config.pdfRetentionDays };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/admin/analysis/:id',
    { schema: { tags: ['admin'], summary: 'Delete an analysis and all its data (stops it first if running)', params: idParams } },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      if (session.status === 'queued' || session.status === 'active') await stopRun(ctx, session.id).catch(() => undefined);
      const deleted = await deleteSession(ctx.db, session.id);
      ctx.sessionVersions.forget(session.id);
      if (!deleted) throw new AppError('SESSION_NOT_FOUND');
      request.log.info({ sessionId: session.id }, 'analysis deleted');
      return { success: true, deleted: session.id };
    },
  );

  app.get<{ Querystring: { days?: number } }>(
    '/api/admin/stats',
    {
      schema: {
        tags: ['admin'],
        summary: 'Totals by status and analyses/cost per day',
        querystring: { type: 'object', properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } } },
      },
    },
    async (request) => {
      const days = request.query.days ?? 30;
      const [totals, perDay] = await Promise.all([selectStatusTotals(ctx.db), selectDailyTotals(ctx.db, days)]);
      return { success: true, totals, per_day: perDay, days };
    },
  );

  // The old admin list shape (grouped), for existing scripts and the original admin page (admin_sessions.html).
  const legacyListSchema = { tags: ['admin'], summary: 'Legacy grouped list (active / completed / partial / failed) with summary counts' };
  app.get('/api/admin/sessions', { schema: legacyListSchema }, async () => {
    const [{ sessions }, totals] = await Promise.all([selectSessions(ctx.db, { limit: 1000, offset: 0 }), selectStatusTotals(ctx.db)]);
    return legacyAdminList(sessions, totals);
  });
}
