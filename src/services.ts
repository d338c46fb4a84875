/**
 * Background services of one process, started after the app is built: the event fan-out, the run worker,
 * scheduled cleanup, warm parse threads, and request counting for recycling. `stop()` ends them in order
 * on shutdown.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.js';
import { recycleThreshold, requestRecycle } from './cluster.js';
import { preferredEventsMode } from './jobs/event-hub.js';
import { RunWorker } from './jobs/run-worker.js';
import { startMaintenance } from './jobs/maintenance.js';
import { parseWorkerPool } from './ingest/parse-worker-pool.js';

const PARSE_POOL_START_DELAY_MS = 1_000;

export interface Services {
  stop(): Promise<void>;
}

export async function startServices(ctx: AppContext, app: FastifyInstance): Promise<Services> {
  await ctx.events.start(preferredEventsMode(ctx.config.database, ctx.config.runs.eventsMode));
  app.log.info({ eventsMode: ctx.events.mode }, 'progress events fan-out ready');
  // Same channel rules as the events: where LISTEN works, finished results are validated by notification.
  const versionsFromMemory = ctx.events.mode === 'listen' && (await ctx.sessionVersions.start());
  app.log.info({ versionsFromMemory }, 'finished-result versions');
  const loginsFromMemory = ctx.events.mode === 'listen' && ctx.config.auth.mode === 'on' && (await ctx.logins.start());
  app.log.info({ loginsFromMemory }, 'signed-in tokens');

  if (ctx.config.runs.workerEnabled) {
    ctx.worker = new RunWorker({ ctx, createEngine: ctx.createEngine, log: app.log.child({ component: 'run-worker' }) });
    ctx.worker.start();
  }
  const maintenance = startMaintenance(ctx, app.log.child({ component: 'maintenance' }));
  // Uploads are parsed at once (validation), so they should not wait for pdf.js to load: warm parse threads,
  // started a moment after start-up so they do not compete with it (a recycled worker serves at once).
  const warmTimer = setTimeout(() => parseWorkerPool.keepWarm(ctx.config.ingest.parseWarmWorkers, ctx.config.ingest.parseMaxMemoryMb), PARSE_POOL_START_DELAY_MS);
  warmTimer.unref();

  const threshold = recycleThreshold(ctx.config);
  if (threshold > 0) {
    let served = 0;
    let asked = false;
    app.addHook('onResponse', async () => {
      served += 1;
      if (!asked && served >= threshold) {
        asked = true;
        app.log.info({ served }, 'MAX_REQUESTS reached; asking to be recycled');
        requestRecycle();
      }
    });
  }
  return {
    async stop() {
      maintenance.stop();
      clearTimeout(warmTimer);
      await parseWorkerPool.close();
      await ctx.worker?.stop();
      await ctx.events.stop();
      await ctx.sessionVersions.stop();
      await ctx.logins.stop();
    },
  };
}
