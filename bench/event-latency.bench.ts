/**
 * Cross-process progress-event latency: process A runs analyses (WORKER_ENABLED=true) while processes B
 * (WORKER_ENABLED=false) serve GET /api/progress/:id as Server-Sent Events, all on one PostgreSQL database.
 * For every event a client reads from a B stream, latency = arrival time at the client − the event's
 * `timestamp` (set by the database when A inserted it; same machine clock). One B listens for NOTIFY
 * (EVENTS_MODE=listen), another polls (EVENTS_MODE=poll); both stream the same runs side by side.
 *
 * Events already stored when a stream connected are a backlog, not a latency: they are counted apart.
 * Target: p99 within 250 ms.
 *
 *   npx tsx bench/event-latency.bench.ts          prints the results as JSON
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSpecPdf,
  createTempDir,
  createTempPostgresDatabase,
  startAnalysis,
  startBenchServer,
  stopChild,
  type ServerChild,
} from './server-fixtures.js';
import { machineInfo, percentile } from './stats.js';

// ~200 pages with the 100-question config gives 100+ events per run (windows, answers, start and end).
const SPEC_PAGES = 200;
const RUNS = 3;
const RUN_TIMEOUT_MS = 180_000;
const TARGET_P99_MS = 250;
const TERMINAL_EVENTS = new Set(['analysis_complete', 'analysis_stopped', 'analysis_failed']);
const THIS_FILE = fileURLToPath(import.meta.url);

type Mode = 'listen' | 'poll';
const MODES: Mode[] = ['listen', 'poll'];

interface StreamOutcome {
  latenciesMs: number[];
  /** Latency samples per event name (question_answered rows share one transaction, hence one timestamp clock). */
  byType: Record<string, number[]>;
  backlog: number;
  eventTypes: Record<string, number>;
  terminal: string | null;
}

/**
 * Read one SSE stream until its terminal event (or the timeout) and time every event on arrival. Events
 * stamped before the stream's headers arrived were stored before anyone listened: counted as backlog.
 */
function readProgressStream(url: string, timeoutMs: number): Promise<StreamOutcome> {
  return new Promise((resolve, reject) => {
    const out: StreamOutcome = { latenciesMs: [], byType: {}, backlog: 0, eventTypes: {}, terminal: null };
    let connectedAt = Infinity;
    let buffer = '';
    const req = http.get(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`progress stream answered ${res.statusCode}`));
        return;
      }
      connectedAt = Date.now();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const arrivedAt = Date.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (!data) continue;
          const e = JSON.parse(data) as { event: string; timestamp: string };
          const stampedAt = Date.parse(e.timestamp);
          out.eventTypes[e.event] = (out.eventTypes[e.event] ?? 0) + 1;
          if (stampedAt < connectedAt) out.backlog++;
          else {
            out.latenciesMs.push(arrivedAt - stampedAt);
            (out.byType[e.event] ??= []).push(arrivedAt - stampedAt);
          }
          if (TERMINAL_EVENTS.has(e.event)) out.terminal = e.event;
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(out);
      });
      res.on('error', reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`progress stream not finished within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function summarizeLatencies(samples: number[]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    events: sorted.length,
    p50_ms: percentile(sorted, 50),
    p99_ms: percentile(sorted, 99),
    max_ms: sorted.at(-1) ?? NaN,
    mean_ms: Math.round((sorted.reduce((a, b) => a + b, 0) / sorted.length) * 10) / 10,
  };
}

export async function runEventLatencyBench(): Promise<Record<string, unknown>> {
  const db = await createTempPostgresDatabase('sa_bench_events');
  if (!db)
    return {
      bench: 'event-latency',
      skipped: 'PostgreSQL not reachable (needs two processes on one PostgreSQL database)',
    };
  const dataDir = await createTempDir('sa-bench-events');
  const servers: ServerChild[] = [];
  try {
    const pdf = await createSpecPdf(SPEC_PAGES);
    // A first, alone: it migrates the database; the readers then start side by side.
    const runner = await startBenchServer({
      DATABASE_URL: db.url,
      DATA_DIR: path.join(dataDir.dir, 'a'),
      WORKER_ENABLED: 'true',
    });
    servers.push(runner);
    const readers = {} as Record<Mode, ServerChild>;
    await Promise.all(
      MODES.map(async (mode) => {
        const s = await startBenchServer({
          DATABASE_URL: db.url,
          DATA_DIR: path.join(dataDir.dir, `b-${mode}`),
          WORKER_ENABLED: 'false',
          EVENTS_MODE: mode,
        });
        servers.push(s);
        readers[mode] = s;
      }),
    );

    const samples: Record<Mode, number[]> = { listen: [], poll: [] };
    const samplesByType: Record<Mode, Record<string, number[]>> = { listen: {}, poll: {} };
    const backlog: Record<Mode, number> = { listen: 0, poll: 0 };
    const eventTypes: Record<string, number> = {};
    for (let run = 0; run < RUNS; run++) {
      const id = await startAnalysis(runner.baseUrl, pdf, `bench-events-${SPEC_PAGES}.pdf`);
      const outcomes = await Promise.all(
        MODES.map((mode) => readProgressStream(`${readers[mode].baseUrl}/api/progress/${id}`, RUN_TIMEOUT_MS)),
      );
      MODES.forEach((mode, i) => {
        const o = outcomes[i]!;
        if (o.terminal !== 'analysis_complete')
          throw new Error(`run ${run + 1} on ${mode}: stream ended with ${o.terminal ?? 'no terminal event'}`);
        samples[mode].push(...o.latenciesMs);
        for (const [k, v] of Object.entries(o.byType)) (samplesByType[mode][k] ??= []).push(...v);
        backlog[mode] += o.backlog;
        if (mode === 'listen')
          for (const [k, n] of Object.entries(o.eventTypes)) eventTypes[k] = (eventTypes[k] ?? 0) + n;
      });
    }

    const out: Record<string, unknown> = {
      bench: 'event-latency',
      ...machineInfo(),
      cpus: os.cpus().length,
      note: 'A (running the analysis), both B readers, PostgreSQL and this client share the machine’s cores. Latency = client arrival − database timestamp of the insert, which is now() of its transaction: events inserted late in a longer transaction (question_answered rows of one window) look older by that transaction’s duration.',
      runs: RUNS,
      document_pages: SPEC_PAGES,
      events_per_type: eventTypes,
      target_p99_ms: TARGET_P99_MS,
    };
    for (const mode of MODES) {
      const s = summarizeLatencies(samples[mode]);
      const byType = Object.fromEntries(
        Object.entries(samplesByType[mode]).map(([k, v]) => [k, summarizeLatencies(v)]),
      );
      out[mode] = {
        ...s,
        backlog_events_not_timed: backlog[mode],
        within_target: s.p99_ms! <= TARGET_P99_MS,
        by_event: byType,
      };
    }
    return out;
  } finally {
    await Promise.all(servers.map((s) => stopChild(s)));
    await db.drop().catch((err: unknown) => console.error('could not drop the benchmark database:', err));
    await dataDir.remove();
  }
}

if (process.argv[1] === THIS_FILE) {
  console.log(JSON.stringify(await runEventLatencyBench(), null, 2));
}
