/**
 * The memory target of bounded uploads, on a real server process: six concurrent uploads of a small PDF
 * whose one content stream inflates to 200 MB keep the server's peak RSS (VmHWM) at or below 1 GB, and
 * `/health` keeps answering throughout. Before the parse gate one such upload took RSS from ~96 MB to
 * ~417 MB and six at once reached 1.66 GB.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';
import { createFlateBombPdf } from '../helpers/pdf-factory.js';
import { startServerProcess, type Child } from '../helpers/processes.js';

const MB = 1024 * 1024;
const UPLOADS = 6;
const INFLATED_BYTES = 200 * MB;
const RSS_LIMIT_BYTES = 1024 * MB;
// Bounds, not speed targets: generous enough for a machine shared by many test runs.
const UPLOAD_TIMEOUT_MS = 180_000;
const HEALTH_TIMEOUT_MS = 10_000;
const HEALTH_POLL_MS = 100;

/** Peak and current resident set of a process, from /proc (Linux). */
function memoryOf(pid: number): { peakRssBytes: number; rssBytes: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
}

const run = postgresAvailable() && fs.existsSync('/proc/self/status');

(run ? describe : describe.skip)('upload memory bound [postgres, real server process]', () => {
  let server: (Child & { baseUrl: string }) | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const database = await createEmptyPostgresDatabase();
    dropDatabase = database.drop;
    // The defaults under test: PARSE_CONCURRENCY=2, PARSE_MEMORY_BUDGET_MB=512, PARSE_QUEUE_TIMEOUT_MS=20000.
    server = await startServerProcess({ DATABASE_URL: database.url, DATA_DIR: '/tmp/spec-analyzer-upload-memory-unused', WORKER_ENABLED: 'false' }, 120_000);
  }, 150_000);
  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await dropDatabase?.();
  });

  it('keeps peak RSS at or below 1 GB and /health answering through six concurrent 200 MB-inflating uploads', async () => {
    const base = await createFlateBombPdf(INFLATED_BYTES);
    // Six different files (a trailing comment differs), so deduplication cannot spare a single parse.
    const pdfs = Array.from({ length: UPLOADS }, (_, i) => Buffer.concat([Buffer.from(base), Buffer.from(`%upload ${i}\n`)]));
    const pid = server!.proc.pid!;
    const before = memoryOf(pid);

    let polling = true;
    const healthLatenciesMs: number[] = [];
    const healthFailures: string[] = [];
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        try {
          const r = await fetch(`${server!.baseUrl}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
          if (r.status !== 200) healthFailures.push(`HTTP ${r.status}`);
        } catch (err) {
          healthFailures.push(String(err));
        }
        healthLatenciesMs.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
      }
    })();

    const results = await Promise.all(
      pdfs.map(async (pdf, i) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), `bomb-${i}.pdf`);
        const r = await fetch(`${server!.baseUrl}/api/documents`, { method: 'POST', body: form, signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS) });
        return { status: r.status, body: (await r.json()) as { code?: string; total_pages?: number }, retryAfter: r.headers.get('retry-after') };
      }),
    );
    polling = false;
    await poller;
    const after = memoryOf(pid);

    const sorted = [...healthLatenciesMs].sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        uploads: results.map((r) => `${r.status}${r.body.code ? ` ${r.body.code}` : ''}`),
        rssBeforeMb: Math.round(before.rssBytes / MB),
        peakRssBeforeMb: Math.round(before.peakRssBytes / MB),
        peakRssAfterMb: Math.round(after.peakRssBytes / MB),
        rssAfterMb: Math.round(after.rssBytes / MB),
        healthPolls: sorted.length,
        healthP50Ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
        healthMaxMs: Math.round(sorted.at(-1) ?? 0),
      }),
    );

    expect(after.peakRssBytes).toBeLessThanOrEqual(RSS_LIMIT_BYTES);
    expect(healthFailures).toEqual([]);
    expect(healthLatenciesMs.length).toBeGreaterThan(0);
    // Every upload is either stored or refused for a momentary load with a retry hint: nothing else.
    for (const r of results) {
      if (r.status === 503) {
        expect(r.body.code).toBe('SERVER_BUSY');
        expect(Number(r.retryAfter)).toBeGreaterThan(0);
      } else {
        expect(r.status).toBe(201);
        expect(r.body.total_pages).toBe(1);
      }
    }
    expect(results.some((r) => r.status === 201)).toBe(true);
  }, UPLOAD_TIMEOUT_MS + 60_000);
});
