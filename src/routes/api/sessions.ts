/**
 * Reading and controlling one session: results, progress (polling and SSE), stop, and the stored PDF.
 * Everything is read from the database, so any process can serve any session, and an existing session
 * never answers 404. Access: src/http/session-access.ts; shapes: src/http/session-presenter.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { selectDocumentBytes, selectDocumentMeta } from '../../db/queries/documents.js';
import { selectEvents } from '../../db/queries/events.js';
import { stopRun } from '../../jobs/stop-run.js';
import { contentDisposition } from '../../export/index.js';
import { loadVisibleSession } from '../../http/session-access.js';
import { streamProgress } from '../../http/progress-stream.js';
import { SessionResultCache } from '../../http/session-result-cache.js';
import { SESSION_STATUSES } from '../../db/queries/sessions.js';
import {
  downloadResponse,
  errorResponses,
  eventSchema,
  idParams,
  looseObject,
  openObject,
  sessionSummarySchema,
} from '../schemas.js';

const lastIndexQuery = z.object({
  last_index: z.coerce.number().int().min(-1).optional().describe('Events after this index (default 0)'),
});
const resultsResponse = looseObject({
  success: z.boolean(),
  status: z.enum(SESSION_STATUSES),
  partial: z.boolean(),
  result: openObject('The result in the original shape, with the answer variants'),
  statistics: openObject('Counts, tokens, cost'),
  session: sessionSummarySchema,
});
const eventsResponse = looseObject({
  success: z.boolean(),
  status: z.enum(SESSION_STATUSES),
  events: z.array(eventSchema),
  last_index: z.number(),
});
const stopResponse = looseObject({
  success: z.boolean(),
  status: z.enum(SESSION_STATUSES),
  already_finished: z.boolean(),
  message: z.string(),
});
const sseResponse = {
  description: 'Server-Sent Events: `id: <index>` and `data: <event JSON>` per event',
  content: { 'text/event-stream': { schema: z.string() } },
};

export async function sessionRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const results = new SessionResultCache(ctx);
  const api = app.withTypeProvider<ZodTypeProvider>();

  // Sends pre-encoded bytes (the cache): registered untyped so the reply may be a Buffer. The params are validated;
  // the reply schema documents the body (bytes are sent as they are, not re-checked).
  app.get<{ Params: { id: string } }>(
    '/api/results/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Result of a session in any state (answers so far while running); 304 for a matching If-None-Match',
        params: idParams,
        response: { 200: resultsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const entry = await results.read(request, request.params.id);
      reply.header('ETag', entry.etag).header('Cache-Control', 'private, no-cache');
      if (request.headers['if-none-match'] === entry.etag) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(entry.body);
    },
  );

  api.get(
    '/api/events/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Progress events after last_index (polling)',
        params: idParams,
        querystring: lastIndexQuery,
        response: { 200: eventsResponse, ...errorResponses },
      },
    },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      const after = Math.max(0, request.query.last_index ?? 0);
      const events = await selectEvents(ctx.db, session.id, after);
      return { success: true, status: session.status, events, last_index: events.at(-1)?.index ?? after };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { last_index?: number } }>(
    '/api/progress/:id',
    {
      schema: {
        tags: ['sessions'],
        summary:
          'Progress events as Server-Sent Events (id: = event index; resumes from Last-Event-ID; ends after the terminal event, or at server shutdown so the client reconnects)',
        params: idParams,
        querystring: lastIndexQuery,
        response: { 200: sseResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      await streamProgress(ctx, request, reply, session);
    },
  );

  api.post(
    '/api/stop/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Stop a queued or running analysis; answers found so far are kept (idempotent)',
        params: idParams,
        response: { 200: stopResponse, ...errorResponses },
      },
    },
    async (request) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      const outcome = await stopRun(ctx, session.id);
      ctx.sessionVersions.forget(session.id); // a stop request on a finished run re-stamps its row
      return {
        success: true,
        status: outcome.status,
        already_finished: outcome.alreadyFinished,
        message: outcome.message,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/document/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'The stored PDF (inline), e.g. /api/document/ID#page=12',
        params: idParams,
        response: { 200: downloadResponse('The PDF', ['application/pdf']), ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await loadVisibleSession(ctx, request, request.params.id);
      const meta = await selectDocumentMeta(ctx.db, session.id);
      const bytes = meta && !meta.bytesDeletedAt ? await selectDocumentBytes(ctx.db, session.id) : null;
      if (!bytes)
        throw new AppError(
          'PDF_NOT_AVAILABLE',
          'The stored PDF has been deleted (retention period) or was never stored; the results are still available.',
        );
      return reply
        .type('application/pdf')
        .header('Content-Disposition', contentDisposition(session.pdfFilename).replace(/^attachment/, 'inline'))
        .header('Cache-Control', 'private, max-age=3600')
        .send(bytes);
    },
  );
}
