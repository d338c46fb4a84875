/** Downloads of one session's result in every format, for every state (PARTIAL in name and content). */
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { buildExport, contentDisposition, EXPORT_FORMATS, isExportFormat } from '../../export/index.js';
import { loadSessionResult } from '../../sessions/load-session-result.js';
import { loadVisibleSession } from '../../http/session-access.js';
import { idParams } from '../../http/route-schemas.js';

async function sendExport(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, id: string, format: string): Promise<FastifyReply> {
  if (!isExportFormat(format)) throw new AppError('EXPORT_FORMAT_INVALID', `Unknown export format "${format}"; use one of ${EXPORT_FORMATS.join(', ')}.`);
  const session = await loadVisibleSession(ctx, request, id);
  const r = await loadSessionResult(ctx.db, session.id, session);
  const file = await buildExport(format, {
    session: {
      id: session.id,
      status: session.status,
      documentName: session.pdfFilename,
      createdAt: session.createdAt,
      completedAt: session.completedAt,
      engine: session.engine,
      model: session.model,
      error: session.errorMessage,
      owner: session.ownerId,
    },
    result: r.full,
  });
  return reply.type(file.contentType).header('Content-Disposition', contentDisposition(file.filename)).header('Cache-Control', 'private, no-store').send(file.body);
}

export async function exportRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.get<{ Params: { id: string }; Querystring: { format?: string } }>(
    '/api/export/:id',
    {
      schema: {
        tags: ['export'],
        summary: 'Download the result as xlsx (Report Package), csv, json, md or docx',
        params: idParams,
        querystring: { type: 'object', properties: { format: { type: 'string', default: 'xlsx' } } },
      },
    },
    async (request, reply) => sendExport(ctx, request, reply, request.params.id, request.query.format ?? 'xlsx'),
  );
  app.get<{ Params: { id: string } }>(
    '/api/export/excel-dashboard/:id',
    { schema: { tags: ['export'], summary: 'The xlsx Report Package (legacy path)', params: idParams } },
    async (request, reply) => sendExport(ctx, request, reply, request.params.id, 'xlsx'),
  );
}
