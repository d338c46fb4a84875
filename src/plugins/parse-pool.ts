/**
 * Warm PDF parse threads. Uploads are parsed at once (validation), so they should not wait for pdf.js to
 * load; the threads start a moment after start-up so they do not compete with it (a recycled worker serves
 * at once). Closed after the server, once no request can parse any more.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { parseWorkerPool } from '../ingest/parse-worker-pool.js';

const PARSE_POOL_START_DELAY_MS = 1_000;

export async function parsePoolPlugin(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ingest } = opts.ctx.config;
  let warmTimer: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    warmTimer = setTimeout(
      () => parseWorkerPool.keepWarm(ingest.parseWarmWorkers, ingest.parseMaxMemoryMb),
      PARSE_POOL_START_DELAY_MS,
    );
    warmTimer.unref();
  });
  app.addHook('onClose', async () => {
    if (warmTimer) clearTimeout(warmTimer);
    await parseWorkerPool.close();
  });
}
