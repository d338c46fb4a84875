/**
 * The progress-event fan-out, the finished-result version listener and the signed-in token cache: LISTEN connections
 * started when the
 * app is ready and closed after the server. On close, every open progress stream is ended first (preClose),
 * so an EventSource reconnects — by Last-Event-ID — to another process instead of holding this one open.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { preferredEventsMode } from '../jobs/event-hub.js';

export async function eventsHubPlugin(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.addHook('onReady', async () => {
    await ctx.events.start(preferredEventsMode(ctx.config.database, ctx.config.runs.eventsMode));
    app.log.info({ eventsMode: ctx.events.mode }, 'progress events fan-out ready');
    // Same channel rules as the events: where LISTEN works, finished results are validated by notification.
    const versionsFromMemory = ctx.events.mode === 'listen' && (await ctx.sessionVersions.start());
    app.log.info({ versionsFromMemory }, 'finished-result versions');
    // Signed-in tokens likewise: resolved from memory only while login_changed notifications can arrive.
    const loginsFromMemory =
      ctx.events.mode === 'listen' && ctx.config.auth.mode === 'on' && (await ctx.logins.start());
    app.log.info({ loginsFromMemory }, 'signed-in tokens');
  });
  // Before the server stops accepting: open streams would keep app.close() waiting for them.
  app.addHook('preClose', async () => {
    const ended = ctx.events.endStreams();
    if (ended > 0) app.log.info({ streams: ended }, 'ended progress streams for shutdown');
  });
  app.addHook('onClose', async () => {
    await ctx.events.stop();
    await ctx.sessionVersions.stop();
    await ctx.logins.stop();
  });
}
