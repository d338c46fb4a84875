/**
 * In a node:cluster worker with MAX_REQUESTS: count responses and ask the primary to recycle us past the
 * threshold. Added on the root instance (not an encapsulated plugin), so every route's responses count.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { recycleThreshold, requestRecycle } from '../cluster.js';

export function countResponsesForRecycling(app: FastifyInstance, config: Config): void {
  const threshold = recycleThreshold(config);
  if (threshold <= 0) return;
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
