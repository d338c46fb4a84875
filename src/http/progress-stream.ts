/**
 * GET /api/progress/:id as Server-Sent Events: every event after the client's cursor (`id:` = event index, so
 * a reconnect resumes from Last-Event-ID), woken by the event hub instead of polling, ending after the terminal
 * event — or at server shutdown, with a short `retry:` so the client reconnects (to another process) and resumes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { selectEvents } from '../db/queries/events.js';
import { selectSession, TERMINAL_STATUSES, type Session } from '../db/queries/sessions.js';
import { TERMINAL_EVENTS } from '../web/public/events.js';

// SSE comment lines keep proxies and load balancers from closing an idle stream.
const SSE_KEEPALIVE_MS = 15_000;
// After a shutdown ends a stream, the client reconnects this soon (another process, or this one's successor).
const SSE_SHUTDOWN_RETRY_MS = 1_000;
// Events written per database read; a long backlog takes several reads.
const EVENTS_PER_READ = 500;

export async function streamProgress(
  ctx: AppContext,
  request: FastifyRequest<{ Querystring: { last_index?: number } }>,
  reply: FastifyReply,
  session: Session,
): Promise<void> {
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
      const events = await selectEvents(ctx.db, session.id, lastIndex, EVENTS_PER_READ);
      let terminal = false;
      for (const e of events) {
        res.write(`id: ${e.index}\ndata: ${JSON.stringify(e)}\n\n`);
        lastIndex = e.index;
        lastWrite = Date.now();
        if (TERMINAL_EVENTS.has(e.event)) terminal = true;
      }
      if (terminal) {
        // The end, unless a re-run (a new pass, src/sessions/start-pass.ts) was queued since: its events follow.
        const now = await selectSession(ctx.db, session.id);
        if (!now || (TERMINAL_STATUSES.includes(now.status) && events.length < EVENTS_PER_READ)) break;
      }
      if (events.length === 0) {
        const now = await selectSession(ctx.db, session.id);
        if (!now) break; // deleted while streaming
        if (TERMINAL_STATUSES.includes(now.status)) {
          // Finished, but its terminal event is older than our cursor or was trimmed: one more read, then end.
          const rest = await selectEvents(ctx.db, session.id, lastIndex, EVENTS_PER_READ);
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
