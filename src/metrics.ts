/**
 * Prometheus metrics (/metrics). Counters and histograms are per process; run counts by state and queue depth
 * are read from the database at scrape time, so every process reports the same truth.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import client from 'prom-client';
import type { Queryable } from './db/database.js';
import { countClaimableRuns, countRunsByStatus } from './db/queries/runs.js';
import { parseWorkerPool } from './ingest/parse-worker-pool.js';
import { parseGate } from './ingest/parse-gate.js';
import { analysisWorkerPool } from './analysis-worker/analysis-pool.js';

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
  runsFinished: new client.Counter({
    name: 'spec_analyzer_runs_finished_total',
    help: 'Runs finished by this process, by final status',
    labelNames: ['status', 'engine'],
    registers: [registry],
  }),
  leaseTakeovers: new client.Counter({
    name: 'spec_analyzer_lease_takeovers_total',
    help: 'Runs resumed by this process after another attempt (crash, restart or release)',
    registers: [registry],
  }),
  llmTokens: new client.Counter({
    name: 'spec_analyzer_llm_tokens_total',
    help: 'LLM tokens paid for, by kind',
    labelNames: ['kind'],
    registers: [registry],
  }),
  llmCost: new client.Counter({
    name: 'spec_analyzer_llm_cost_usd_total',
    help: 'Estimated LLM cost in USD',
    registers: [registry],
  }),
};

export const httpDuration = new client.Histogram({
  name: 'spec_analyzer_http_request_duration_seconds',
  help: 'HTTP request latency',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

const runsByState = new client.Gauge({
  name: 'spec_analyzer_runs',
  help: 'Sessions by state (from the database)',
  labelNames: ['status'],
  registers: [registry],
});
const queueDepth = new client.Gauge({
  name: 'spec_analyzer_queue_depth',
  help: 'Runs waiting to be claimed (queued, or active with an expired lease)',
  registers: [registry],
});

export async function collectDatabaseMetrics(db: Queryable): Promise<void> {
  const counts = await countRunsByStatus(db);
  for (const status of ['queued', 'active', 'completed', 'partial', 'failed'])
    runsByState.set({ status }, counts[status] ?? 0);
  queueDepth.set(await countClaimableRuns(db));
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
new client.Gauge({
  name: 'spec_analyzer_parse_gate',
  help: 'PDF parses holding a slot (active), waiting for a slot or memory (queued), and inflated bytes reserved (reserved_bytes)',
  labelNames: ['kind'],
  registers: [registry],
  collect() {
    const stats = parseGate.stats();
    this.set({ kind: 'active' }, stats.active);
    this.set({ kind: 'queued' }, stats.queued);
    this.set({ kind: 'reserved_bytes' }, stats.reservedBytes);
  },
});
new client.Gauge({
  name: 'spec_analyzer_analysis_threads',
  help: 'Analysis worker threads (ANALYSIS_THREADS): busy with a run or an estimate, or idle; queued = jobs waiting for one',
  labelNames: ['state'],
  registers: [registry],
  collect() {
    const stats = analysisWorkerPool.stats();
    this.set({ state: 'busy' }, stats.busy);
    this.set({ state: 'idle' }, stats.threads - stats.busy);
    this.set({ state: 'queued' }, stats.queued);
  },
});
new client.Counter({
  name: 'spec_analyzer_analysis_thread_crashes_total',
  help: 'Analysis threads that died during a job (the job failed; a run attempt is retried)',
  registers: [registry],
  collect() {
    this.reset();
    this.inc(analysisWorkerPool.stats().crashed);
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

// Event-loop delay of this process, sampled by Node (monitorEventLoopDelay) every EVENT_LOOP_RESOLUTION_MS:
// how long a ready callback (a request, a timer, a LISTEN notification) waited for the thread. Reported since
// the monitor started (services start it), never reset by a scrape, so several scrapers read the same series.
const EVENT_LOOP_RESOLUTION_MS = 10;
const EVENT_LOOP_QUANTILES = [0.5, 0.9, 0.99, 1] as const;
let eventLoopDelay: IntervalHistogram | null = null;
// Several app instances may share a process (tests): the monitor runs while any of them has started it.
let eventLoopMonitorUsers = 0;

/** Start sampling the event-loop delay (the first start creates the monitor). */
export function startEventLoopMonitor(): void {
  eventLoopMonitorUsers++;
  if (eventLoopDelay) return;
  eventLoopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  eventLoopDelay.enable();
}

/** Undo one start; the last one stops the monitor. */
export function stopEventLoopMonitor(): void {
  eventLoopMonitorUsers = Math.max(0, eventLoopMonitorUsers - 1);
  if (eventLoopMonitorUsers > 0) return;
  eventLoopDelay?.disable();
  eventLoopDelay = null;
}

new client.Gauge({
  name: 'spec_analyzer_event_loop_delay_seconds',
  help: `Event-loop delay of this process since start (monitorEventLoopDelay, ${EVENT_LOOP_RESOLUTION_MS} ms resolution): quantile 1 is the longest stall`,
  labelNames: ['quantile'],
  registers: [registry],
  collect() {
    if (!eventLoopDelay || eventLoopDelay.count === 0) return;
    // The histogram counts from the timer's expected firing: subtract the resolution to get the delay itself.
    for (const q of EVENT_LOOP_QUANTILES) {
      const ns = q === 1 ? eventLoopDelay.max : eventLoopDelay.percentile(q * 100);
      this.set({ quantile: String(q) }, Math.max(0, ns / 1e9 - EVENT_LOOP_RESOLUTION_MS / 1000));
    }
  },
});
new client.Counter({
  name: 'spec_analyzer_event_loop_delay_samples_total',
  help: 'Event-loop delay samples behind spec_analyzer_event_loop_delay_seconds',
  registers: [registry],
  collect() {
    this.reset();
    if (eventLoopDelay) this.inc(eventLoopDelay.count);
  },
});
