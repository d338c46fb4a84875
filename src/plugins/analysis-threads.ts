/**
 * The analysis worker threads (ANALYSIS_THREADS) and the event-loop delay monitor. Registered before the run
 * worker, so it closes after it: runs still finishing on shutdown keep their threads until they are released.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { analysisWorkerPool } from '../analysis-worker/index.js';
import { startEventLoopMonitor, stopEventLoopMonitor } from '../metrics.js';

export async function analysisThreadsPlugin(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const threads = opts.ctx.config.runs.analysisThreads;
  startEventLoopMonitor();
  app.addHook('onReady', async () => {
    if (threads > 0) analysisWorkerPool.start(threads);
  });
  app.addHook('onClose', async () => {
    await analysisWorkerPool.stop();
    stopEventLoopMonitor();
  });
}
