/**
 * Prometheus metrics (/metrics). Counters and histograms are per process; run counts by state and queue depth
 * are read from the database at scrape time, so every process reports the same truth.
 */
import client from 'prom-client';
import type { Queryable } from './db/database.js';
import { countRunsByStatus } from './db/queries/runs.js';
import { parseWorkerPool } from './ingest/parse-worker-pool.js';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'spec_analyzer_process_' });

export const runMetrics = {
  runDuration: new client.Histogram({
    name: 'spec_analyzer_run_attempt_duration_seconds',
    help: 'Duration of run attempts in this process',
    labelNames: ['engine'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  }),
  runsFinished: new client.Counter({ name: 'spec_analyzer_runs_finished_total', help: 'Runs finished by this process, by final status', labelNames: ['status', 'engine'], registers: [registry] }),
  leaseTakeovers: new client.Counter({ name: 'spec_analyzer_lease_takeovers_total', help: 'Runs resumed by this process after another attempt (crash, restart or release)', registers: [registry] }),
  llmTokens: new client.Counter({ name: 'spec_analyzer_llm_tokens_total', help: 'LLM tokens paid for, by kind', labelNames: ['kind'], registers: [registry] }),
  llmCost: new client.Counter({ name: 'spec_analyzer_llm_cost_usd_total', help: 'Estimated LLM cost in USD', registers: [registry] }),
};

export const httpDuration = new client.Histogram({
  name: 'spec_analyzer_http_request_duration_seconds',
  help: 'HTTP request latency',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

const runsByState = new client.Gauge({ name: 'spec_analyzer_runs', help: 'Sessions by state (from the database)', labelNames: ['status'], registers: [registry] });
const queueDepth = new client.Gauge({ name: 'spec_analyzer_queue_depth', help: 'Runs waiting to be claimed (queued, or active with an expired lease)', registers: [registry] });

export async function collectDatabaseMetrics(db: Queryable): Promise<void> {
  const counts = await countRunsByStatus(db);
  for (const status of ['queued', 'active', 'completed', 'partial', 'failed']) runsByState.set({ status }, counts[status] ?? 0);
  const r = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM sessions WHERE status = 'queued' OR (status = 'active' AND (lease_expires_at IS NULL OR lease_expires_at < now()))",
  );
  queueDepth.set(r.rows[0]?.n ?? 0);
}

// Read from this process's state at scrape time.
new client.Counter({
  name: 'spec_analyzer_parse_worker_starts_total',
  help: 'PDF parse threads handed out since start: warm (from the pool) or cold (started for the job)',
  labelNames: ['kind'],
  registers: [registry],
  collect() {
    const stats = parseWorkerPool.stats();
    this.reset();
    this.inc({ kind: 'warm' }, stats.warmStarts);
    this.inc({ kind: 'cold' }, stats.coldStarts);
  },
});
new client.Gauge({
  name: 'spec_analyzer_parse_workers_ready',
  help: 'Warm PDF parse threads waiting for the next upload (PARSE_WARM_WORKERS)',
  registers: [registry],
  collect() {
    this.set(parseWorkerPool.stats().readySpares);
  },
});
export const loginsInMemory = new client.Gauge({
  name: 'spec_analyzer_logins_in_memory',
  help: 'Signed-in tokens this process resolves from memory (validated by LISTEN/NOTIFY on login_changed)',
  registers: [registry],
});
export const finishedVersionsInMemory = new client.Gauge({
  name: 'spec_analyzer_finished_versions_in_memory',
  help: 'Finished sessions whose version this process trusts from memory (validated by LISTEN/NOTIFY)',
  registers: [registry],
});
