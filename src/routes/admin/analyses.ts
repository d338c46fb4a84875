/**
 * The admin API: every analysis ever run, a detail view, delete, totals per day, and the old list shape.
 * Admin-only by its path: the auth hook (src/routes/auth-hooks.ts) refuses every /api/admin/* route to non-admins.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { deleteSession, selectSessions, SESSION_STATUSES } from '../../db/queries/sessions.js';
import { selectDailyTotals, selectStatusTotals } from '../../db/queries/admin.js';
import { selectDocumentMeta } from '../../db/queries/documents.js';
import { selectEvents } from '../../db/queries/events.js';
import { loadSessionResult } from '../../sessions/load-session-result.js';
import { loadVisibleSession } from '../../http/session-access.js';
import { errorResponses, eventSchema, idParams, looseObject, openObject, sessionSummarySchema } from '../schemas.js';
import { adminListItem, legacyAdminList } from '../../http/session-presenter.js';
import { legacyWithVariants } from '../../analysis/build-result.js';
import { stopRun } from '../../jobs/stop-run.js';

const MAX_PAGE_SIZE = 200;

const adminItem = sessionSummarySchema.extend({ pdf_filename: z.string() });
const listResponse = looseObject({
  success: z.boolean(),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
  sessions: z.array(adminItem),
});
const detailResponse = looseObject({
  success: z.boolean(),
  session: sessionSummarySchema,
  document: looseObject({ pdf_available: z.boolean(), deleted_at: z.string().nullable() }),
  result: openObject('The result in the original shape, with the answer variants'),
  full_result: openObject('The full result'),
  statistics: openObject('Counts, tokens, cost'),
  events: z.array(eventSchema),
  pdf_retention_days: z.number(),
});
const deleteResponse = looseObject({ success: z.boolean(), deleted: z.string() });
const statsResponse = looseObject({
  success: z.boolean(),
  totals: z.record(z.string(), z.number()).describe('Analyses per status, and `sessions` for all of them'),
  per_day: z.array(openObject('One day: analyses and cost')),
  days: z.number(),
});
// The original admin page (admin_sessions.html) reads these fields of every item.
const legacyItem = adminItem.extend({ pdf_path: z.string().nullable(), stopped_at: z.string().nullable() });
const legacyGroups = {
  active: z.array(legacyItem),
  completed: z.array(legacyItem),
  partial: z.array(legacyItem),
  failed: z.array(legacyItem),
};
const legacyListResponse = looseObject({
  success: z.boolean(),
  summary: looseObject({
    total_sessions: z.number(),
    active_count: z.number(),
    completed_count: z.number(),
    partial_count: z.number(),
    failed_count: z.number(),
  }),
  sessions: looseObject(legacyGroups),
  active_sessions: legacyGroups.active,
  completed_sessions: legacyGroups.completed,
  partial_sessions: legacyGroups.partial,
  failed_sessions: legacyGroups.failed,
});

export async function adminRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/admin/analyses',
    {
      schema: {
        tags: ['admin'],
        summary: 'Every analysis, newest first, with status filter, file-name search and pagination',
        querystring: z.object({
          status: z.enum([...SESSION_STATUSES, '']).optional(),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
          q: z.string().max(200).optional(),
        }),
        response: { 200: listResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { status, limit = 25, offset = 0, q } = request.query;
      const { sessions, total } = await selectSessions(ctx.db, {
        status: status || undefined,
        q: q?.trim() || undefined,
        limit,
        offset,
      });
      return {
        success: true,
        total,
        limit,
        offset,
        sessions: sessions.map(adminListItem),
      };
    },
  );

  api.get(
    '/api/admin/analysis/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'One analysis: summary, result, statistics and events log',
        params: idParams,
        response: { 200: detailResponse, ...errorResponses },
      },
    },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      const [r, events, doc] = await Promise.all([
        loadSessionResult(ctx.db, session.id, session),
        selectEvents(ctx.db, session.id, 0, 5000),
        selectDocumentMeta(ctx.db, session.id),
      ]);
      const document = doc
        ? {
            size_bytes: doc.sizeBytes,
            page_count: doc.pageCount,
            sha256: doc.sha256,
            pdf_available: !doc.bytesDeletedAt,
            deleted_at: doc.bytesDeletedAt?.toISOString() ?? null,
          }
        : { pdf_available: false, deleted_at: null };
      return {
        success: true,
        session: adminListItem(session),
        document,
        result: legacyWithVariants(r.full, r.legacy),
        full_result: r.full,
        statistics: r.statistics,
        events,
        pdf_retention_days: ctx.config.pdfRetentionDays,
      };
    },
  );

  api.delete(
    '/api/admin/analysis/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Delete an analysis and all its data (stops it first if running)',
        params: idParams,
        response: { 200: deleteResponse, ...errorResponses },
      },
    },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      if (session.status === 'queued' || session.status === 'active')
        await stopRun(ctx, session.id).catch(() => undefined);
      const deleted = await deleteSession(ctx.db, session.id);
      ctx.sessionVersions.forget(session.id);
      if (!deleted) throw new AppError('SESSION_NOT_FOUND');
      request.log.info({ sessionId: session.id }, 'analysis deleted');
      return { success: true, deleted: session.id };
    },
  );

  api.get(
    '/api/admin/stats',
    {
      schema: {
        tags: ['admin'],
        summary: 'Totals by status and analyses/cost per day',
        querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
        response: { 200: statsResponse, ...errorResponses },
      },
    },
    async (request) => {
      const days = request.query.days ?? 30;
      const [totals, perDay] = await Promise.all([selectStatusTotals(ctx.db), selectDailyTotals(ctx.db, days)]);
      return { success: true, totals, per_day: perDay, days };
    },
  );

  // The old admin list shape (grouped), for existing scripts and the original admin page (admin_sessions.html).
  const legacyListSchema = {
    tags: ['admin'],
    summary: 'Legacy grouped list (active / completed / partial / failed) with summary counts',
    response: { 200: legacyListResponse, ...errorResponses },
  };
  api.get('/api/admin/sessions', { schema: legacyListSchema }, async () => {
    const [{ sessions }, totals] = await Promise.all([
      selectSessions(ctx.db, { limit: 1000, offset: 0 }),
      selectStatusTotals(ctx.db),
    ]);
    return legacyAdminList(sessions, totals);
  });
}
