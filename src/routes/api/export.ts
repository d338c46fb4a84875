/** Downloads of one session's result in every format, for every state (PARTIAL in name and content). */
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import {
  buildExport,
  contentDisposition,
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  isExportFormat,
} from '../../export/index.js';
import { loadSessionResult } from '../../sessions/load-session-result.js';
import { loadVisibleSession } from '../../http/session-access.js';
import { downloadResponse, errorResponses, idParams } from '../schemas.js';

// What each format is sent as (documented in /api/openapi.json): the media types, without the charset.
const EXPORT_MEDIA_TYPES = Object.values(EXPORT_CONTENT_TYPES).map((t) => t.split(';')[0]!.trim());

async function sendExport(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  format: string,
): Promise<FastifyReply> {
  if (!isExportFormat(format))
    throw new AppError(
      'EXPORT_FORMAT_INVALID',
      `Unknown export format "${format}"; use one of ${EXPORT_FORMATS.join(', ')}.`,
    );
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
  return reply
    .type(file.contentType)
    .header('Content-Disposition', contentDisposition(file.filename))
    .header('Cache-Control', 'private, no-store')
    .send(file.body);
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
        // Not an enum here: an unknown format answers EXPORT_FORMAT_INVALID, naming the formats.
        querystring: z.object({
          format: z
            .string()
            .optional()
            .describe(`One of ${EXPORT_FORMATS.join(', ')} (default xlsx)`),
        }),
        response: {
          200: downloadResponse('The report file (Content-Disposition: attachment)', EXPORT_MEDIA_TYPES),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => sendExport(ctx, request, reply, request.params.id, request.query.format ?? 'xlsx'),
  );
  app.get<{ Params: { id: string } }>(
    '/api/export/excel-dashboard/:id',
    {
      schema: {
        tags: ['export'],
        summary: 'The xlsx Report Package (legacy path)',
        params: idParams,
        response: { 200: downloadResponse('The xlsx Report Package', [EXPORT_CONTENT_TYPES.xlsx]), ...errorResponses },
      },
    },
    async (request, reply) => sendExport(ctx, request, reply, request.params.id, 'xlsx'),
  );
}
