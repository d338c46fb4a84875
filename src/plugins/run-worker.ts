/**
 * This process's run worker (WORKER_ENABLED): claims runs once the app is ready; on close (preClose, before
 * the server stops) it stops claiming, aborts its runs and releases their leases — not counted as failed
 * attempts — so another process resumes them at once.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { RunWorker } from '../jobs/run-worker.js';

export async function runWorkerPlugin(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  if (!ctx.config.runs.workerEnabled) return;
  app.addHook('onReady', async () => {
    ctx.worker = new RunWorker({
      ctx,
      createEngine: ctx.createEngine,
      log: app.log.child({ component: 'run-worker' }),
    });
    ctx.worker.start();
  });
  app.addHook('preClose', async () => {
    await ctx.worker?.stop();
  });
}
