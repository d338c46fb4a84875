/** Prometheus metrics at /metrics, and HTTP latency measured for every route. */
import type { FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';
import type { AppContext } from '../app-context.js';
import {
  collectDatabaseMetrics,
  finishedVersionsInMemory,
  httpDuration,
  loginsInMemory,
  registry,
} from '../metrics.js';

/** Call on the root instance (hooks registered inside a plugin only see that plugin's routes). */
export function observeHttpLatency(app: FastifyInstance): void {
  // One labelled child per (method, route, status), found by a string key: prom-client otherwise sorts and
  // joins the label object on every observation, a measurable share of a cached read's CPU.
  const byLabels = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let child = byLabels.get(key);
    if (!child) {
      child = httpDuration.labels({ method: request.method, route, status: String(reply.statusCode) });
      byLabels.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
  });
}

export async function metricsRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  app.get('/metrics', { schema: { hide: true }, config: { access: 'admin' } }, async (_request, reply) => {
    await collectDatabaseMetrics(opts.ctx.db).catch(() => undefined);
    finishedVersionsInMemory.set(opts.ctx.sessionVersions.size);
    loginsInMemory.set(opts.ctx.logins.size);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
