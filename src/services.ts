/**
 * The long-lived parts of one process, each a Fastify plugin (src/plugins/) that starts itself when the app
 * is ready and stops itself when the app closes, so `app.close()` is the whole shutdown — in production
 * (SIGTERM) and in tests alike. Registration order is the lifecycle order:
 *   onReady:  events hub + result versions → analysis threads → run worker → maintenance timers → warm parse threads
 *   preClose: end every progress stream → stop claiming, abort runs, release their leases (not failures)
 *   (the HTTP server closes: nothing holds it open any more)
 * onClose: parse threads → maintenance timers → analysis threads → LISTEN connections → database (when the app owns it)
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.js';
import { databasePlugin } from './plugins/database.js';
import { eventsHubPlugin } from './plugins/events-hub.js';
import { runWorkerPlugin } from './plugins/run-worker.js';
import { maintenancePlugin } from './plugins/maintenance.js';
import { parsePoolPlugin } from './plugins/parse-pool.js';
import { countResponsesForRecycling } from './plugins/recycle.js';
import { analysisThreadsPlugin } from './plugins/analysis-threads.js';

export interface ServicesOptions {
  /** Close ctx.db when the app closes (the server owns its database; tests close theirs themselves). */
  closeDatabase?: boolean;
}

export async function registerServices(
  app: FastifyInstance,
  ctx: AppContext,
  options: ServicesOptions = {},
): Promise<void> {
  // onClose hooks run in reverse registration order: the database, registered first, closes last.
  if (options.closeDatabase) await app.register(databasePlugin, { ctx });
  await app.register(eventsHubPlugin, { ctx });
  await app.register(analysisThreadsPlugin, { ctx });
  await app.register(runWorkerPlugin, { ctx });
  await app.register(maintenancePlugin, { ctx });
  await app.register(parsePoolPlugin, { ctx });
  countResponsesForRecycling(app, ctx.config);
}
