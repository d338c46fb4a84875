/**
 * The memory target of bounded uploads, on a real server process (PostgreSQL, then PGlite): six concurrent
 * uploads of a small PDF whose one content stream inflates to 200 MB keep the server's peak RSS (VmHWM) at or
 * below 1 GB on PostgreSQL (on PGlite, whose engine lives in the process, its growth below 600 MB), and
 * `/health` keeps answering throughout. Before the parse gate one such upload took RSS from ~96 MB to
 * ~417 MB and six at once reached 1.66 GB.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';
import { createFlateBombPdf } from '../helpers/pdf-factory.js';
import { startServerProcess, type Child } from '../helpers/processes.js';

const MB = 1024 * 1024;
const UPLOADS = 6;
const INFLATED_BYTES = 200 * MB;
const RSS_LIMIT_BYTES = 1024 * MB;
// One parse of the 200 MB-inflating document at a time takes ~400–450 MB; two at once would pass 800 MB.
const PGLITE_GROWTH_LIMIT_BYTES = 600 * MB;
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

const linux = fs.existsSync('/proc/self/status');

for (const kind of ['postgres', 'pglite'] as const) {
  const run = linux && (kind === 'pglite' || postgresAvailable());
  (run ? describe : describe.skip)(`upload memory bound [${kind}, real server process]`, () => {
    let server: (Child & { baseUrl: string }) | undefined;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      // The defaults under test: PARSE_CONCURRENCY=2, PARSE_MEMORY_BUDGET_MB=512, PARSE_QUEUE_TIMEOUT_MS=20000.
      const env = { WORKER_ENABLED: 'false' };
      if (kind === 'postgres') {
        const database = await createEmptyPostgresDatabase();
        cleanup = database.drop;
        server = await startServerProcess(
          { ...env, DATABASE_URL: database.url, DATA_DIR: '/tmp/spec-analyzer-upload-memory-unused' },
          120_000,
        );
      } else {
        // A reopened data directory, as after any restart: creating one (initdb) alone peaks near 950 MB RSS in
        // PGlite and is never given back, which says nothing about uploads.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-upload-memory-'));
        cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
        const first = await startServerProcess({ ...env, DATABASE_URL: '', DATA_DIR: dir }, 120_000);
        first.kill('SIGTERM');
        await first.exited;
        server = await startServerProcess({ ...env, DATABASE_URL: '', DATA_DIR: dir }, 120_000);
      }
    }, 240_000);
    afterAll(async () => {
      server?.kill('SIGKILL');
      await server?.exited;
      await cleanup?.();
    });

    it(
      'keeps peak RSS at or below 1 GB and /health answering through six concurrent 200 MB-inflating uploads',
      async () => {
        const base = await createFlateBombPdf(INFLATED_BYTES);
        // Six different files (a trailing comment differs), so deduplication cannot spare a single parse.
        const pdfs = Array.from({ length: UPLOADS }, (_, i) =>
          Buffer.concat([Buffer.from(base), Buffer.from(`%upload ${i}\n`)]),
        );
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
            const r = await fetch(`${server!.baseUrl}/api/documents`, {
              method: 'POST',
              body: form,
              signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
            });
            return {
              status: r.status,
              body: (await r.json()) as { code?: string; total_pages?: number },
              retryAfter: r.headers.get('retry-after'),
            };
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

        if (kind === 'postgres') expect(after.peakRssBytes).toBeLessThanOrEqual(RSS_LIMIT_BYTES);
        // PGlite keeps the whole database engine in this process (~450–500 MB after reopening, never given back),
        // so what the parse gate controls is the growth: one 200 MB-inflating parse at a time, not six.
        else expect(after.peakRssBytes - before.rssBytes).toBeLessThanOrEqual(PGLITE_GROWTH_LIMIT_BYTES);
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
      },
      UPLOAD_TIMEOUT_MS + 60_000,
    );
  });
}
