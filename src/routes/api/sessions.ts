/**
 * Reading and controlling one session: results, progress (polling and SSE), stop, and the stored PDF.
 * Everything is read from the database, so any process can serve any session, and an existing session
 * never answers 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { isSessionIdShape } from '../../db/session-ids.js';
import { VersionedCache } from '../../db/result-cache.js';
import { SESSION_STATUSES, TERMINAL_STATUSES, type Session } from '../../db/queries/sessions.js';
import { selectDocumentBytes, selectDocumentMeta } from '../../db/queries/documents.js';
import { legacyWithVariants, loadSessionResult } from '../../sessions/load-session-result.js';
import { stopRun } from '../../jobs/stop-run.js';
import { assertCanSee, ownerOf } from '../auth-hooks.js';
import { selectAliasedSessionId } from '../../db/queries/session-aliases.js';
import { contentDisposition } from '../../export/index.js';
import { downloadResponse, errorResponses, eventSchema, idParams, looseObject, openObject, sessionSummarySchema } from '../schemas.js';

// SSE comment lines keep proxies and load balancers from closing an idle stream.
const SSE_KEEPALIVE_MS = 15_000;
// After a shutdown ends a stream, the client reconnects this soon (another process, or this one's successor).
const SSE_SHUTDOWN_RETRY_MS = 1_000;
const TERMINAL_EVENTS = new Set(['analysis_complete', 'analysis_stopped', 'analysis_failed']);

export { idParams } from '../schemas.js';

const lastIndexQuery = z.object({ last_index: z.coerce.number().int().min(-1).optional().describe('Events after this index (default 0)') });
const resultsResponse = looseObject({
  success: z.boolean(),
  status: z.enum(SESSION_STATUSES),
  partial: z.boolean(),
  result: openObject('The result in the original shape, with the answer variants'),
  statistics: openObject('Counts, tokens, cost'),
  session: sessionSummarySchema,
});
const eventsResponse = looseObject({ success: z.boolean(), status: z.enum(SESSION_STATUSES), events: z.array(eventSchema), last_index: z.number() });
const stopResponse = looseObject({ success: z.boolean(), status: z.enum(SESSION_STATUSES), already_finished: z.boolean(), message: z.string() });
const sseResponse = { description: 'Server-Sent Events: `id: <index>` and `data: <event JSON>` per event', content: { 'text/event-stream': { schema: z.string() } } };

/**
 * A session by our id, or by the caller's own alias (the original front end's client-chosen session_id).
 * Our ids are tried first; the alias table is read only when that finds nothing the caller may see, so the
 * common path costs nothing extra and one user's alias can never shadow or reveal another's session.
 */
export async function loadVisibleSession(ctx: AppContext, request: FastifyRequest, id: string): Promise<Session> {
  const session = isSessionIdShape(id) ? await ctx.store.getSession(id) : null;
  if (session && canSee(request, session)) return session;
  const aliased = await resolveSessionAlias(ctx, request, id);
  const byAlias = aliased ? await ctx.store.getSession(aliased) : null;
  if (!byAlias) throw new AppError('SESSION_NOT_FOUND');
  assertCanSee(request, byAlias);
  return byAlias;
}

function canSee(request: FastifyRequest, session: Pick<Session, 'ownerId'>): boolean {
  try {
    assertCanSee(request, session);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'SESSION_NOT_FOUND') return false;
    throw err;
  }
}

/** The caller's alias → our session id (null when the caller has no such alias). */
export async function resolveSessionAlias(ctx: AppContext, request: FastifyRequest, alias: string): Promise<string | null> {
  if (!request.user || alias.length > 128) return null;
  return selectAliasedSessionId(ctx.db, alias, ownerOf(request));
}

export function sessionSummary(s: Session) {
  return {
    session_id: s.id,
    document_name: s.pdfFilename,
    status: s.status,
    created_at: s.createdAt.toISOString(),
    started_at: s.startedAt?.toISOString() ?? null,
    completed_at: s.completedAt?.toISOString() ?? null,
    engine: s.engine,
    model: s.model,
    thorough: s.thorough,
    error: s.errorMessage,
    total_pages: s.totalPages,
    total_questions: s.totalQuestions,
    questions_answered: s.questionsAnswered,
    processing_time: s.processingTime,
    total_tokens: s.totalTokens,
    estimated_cost: s.estimatedCost,
    enabled_sections: s.enabledSections,
    guardrails: s.guardrails,
    stop_reason: s.stopReason,
    owner: s.ownerId,
  };
}

interface CachedBody {
  /** Encoded once: sending a Buffer skips the per-request UTF-8 encoding and length count of a string. */
  body: Buffer;
  etag: string;
  /** Checked on every read, cache hit or not: the bytes are shared by all readers. */
  ownerId: Session['ownerId'];
}

export async function sessionRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const cache = new VersionedCache<CachedBody>();
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
      let id = request.params.id;
      let version = isSessionIdShape(id) ? await ctx.sessionVersions.read(id) : null;
      if (!version || !canSee(request, version)) {
        // Not ours to see by that id: perhaps the caller's alias (the original front end's session_id).
        const aliased = await resolveSessionAlias(ctx, request, id);
        if (aliased) {
          id = aliased;
          version = await ctx.sessionVersions.read(id);
        }
      }
      if (!version) throw new AppError('SESSION_NOT_FOUND');
      assertCanSee(request, version); // before the cache: a cached body is never served to someone who may not see it
      const etag = `"${version.version}"`;
      const entry = await cache.get(id, version, async () => {
        const r = await loadSessionResult(ctx.store, id);
        const body = Buffer.from(JSON.stringify({
          success: true,
          status: r.session.status,
          partial: r.partial,
          result: legacyWithVariants(r.full, r.legacy),
          statistics: r.statistics,
          session: sessionSummary(r.session),
        }));
        return { value: { body, etag, ownerId: r.session.ownerId }, bytes: body.length };
      });
      if (!entry) throw new AppError('SESSION_NOT_FOUND');
      assertCanSee(request, entry);
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
      const events = await ctx.store.listEvents(session.id, after);
      return { success: true, status: session.status, events, last_index: events.at(-1)?.index ?? after };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { last_index?: number } }>(
    '/api/progress/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Progress events as Server-Sent Events (id: = event index; resumes from Last-Event-ID; ends after the terminal event, or at server shutdown so the client reconnects)',
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
      return { success: true, status: outcome.status, already_finished: outcome.alreadyFinished, message: outcome.message };
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
      if (!bytes) throw new AppError('PDF_NOT_AVAILABLE', 'The stored PDF has been deleted (retention period) or was never stored; the results are still available.');
      return reply
        .type('application/pdf')
        .header('Content-Disposition', contentDisposition(session.pdfFilename).replace(/^attachment/, 'inline'))
        .header('Cache-Control', 'private, max-age=3600')
        .send(bytes);
    },
  );
}

async function streamProgress(ctx: AppContext, request: FastifyRequest<{ Querystring: { last_index?: number } }>, reply: FastifyReply, session: Session): Promise<void> {
  const header = request.headers['last-event-id'];
  const fromHeader = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : null;
  let lastIndex = Math.max(0, fromHeader ?? request.query.last_index ?? 0);

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');

  const closed = new AbortController();
  request.raw.on('close', () => closed.abort());
  // Shutdown (deploy, recycle) ends the stream; the client reconnects — to another process — and resumes
  // from Last-Event-ID. Left open, the stream would keep app.close() waiting until the shutdown timeout.
  const shutdown = ctx.events.openStream();
  if (shutdown.signal.aborted) closed.abort();
  else shutdown.signal.addEventListener('abort', () => closed.abort(), { once: true });
  let lastWrite = Date.now();
  try {
    while (!closed.signal.aborted) {
      const events = await ctx.store.listEvents(session.id, lastIndex, 500);
      let terminal = false;
      for (const e of events) {
        res.write(`id: ${e.index}\ndata: ${JSON.stringify(e)}\n\n`);
        lastIndex = e.index;
        lastWrite = Date.now();
        if (TERMINAL_EVENTS.has(e.event)) terminal = true;
      }
      if (terminal) break;
      if (events.length === 0) {
        const now = await ctx.store.getSession(session.id);
        if (!now) break; // deleted while streaming
        if (TERMINAL_STATUSES.includes(now.status)) {
          // Finished, but its terminal event is older than our cursor or was trimmed: one more read, then end.
          const rest = await ctx.store.listEvents(session.id, lastIndex, 500);
          for (const e of rest) res.write(`id: ${e.index}\ndata: ${JSON.stringify(e)}\n\n`);
          break;
        }
        if (Date.now() - lastWrite > SSE_KEEPALIVE_MS) {
          res.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        await ctx.events.wait(session.id, closed.signal);
      }
    }
  } catch (err) {
    request.log.warn({ err, sessionId: session.id }, 'progress stream ended with an error');
  } finally {
    shutdown.release();
    if (shutdown.signal.aborted && !res.destroyed) {
      res.write(`retry: ${SSE_SHUTDOWN_RETRY_MS}\n: server shutting down; reconnect to resume\n\n`);
      // Close the kept-alive connection too: the server is closing and would otherwise wait for it to time out.
      res.end(() => res.socket?.end());
    } else {
      res.end();
    }
  }
}
