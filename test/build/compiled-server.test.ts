/**
 * `npm start` runs the compiled JavaScript (scripts/build.mjs → dist/server.js), not the TypeScript sources
 * the other tests run. These tests build exactly as `npm start` does (into a folder of their own) and drive
 * the compiled server through real HTTP: everything that is not TypeScript (SQL migrations, the default
 * question set, the pages and their scripts, the parse worker threads) must be found next to the compiled
 * code, and a cluster (WEB_CONCURRENCY) must fork the compiled entry again, never the sources.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCompiledServer, type CompiledBuild } from '../helpers/compiled-build.js';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';
import { createLongPdf } from '../helpers/pdf-factory.js';
import { startServerProcess, type Child } from '../helpers/processes.js';
import {
  CleanupStack,
  requestJson,
  sleep,
  startAnalysis,
  waitFor,
  type ResultsBody,
} from '../durability/durability-harness.js';

// Bounds, not expectations: each is many times what an idle machine needs (measured beside a CPU hog at load ~30:
// 60 s was not enough for a start plus an analysis).
const SERVER_START_TIMEOUT_MS = 240_000;
const ANALYSIS_TIMEOUT_MS = 240_000;
const GRACEFUL_EXIT_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = SERVER_START_TIMEOUT_MS + ANALYSIS_TIMEOUT_MS + GRACEFUL_EXIT_TIMEOUT_MS;
const BUILD_HOOK_TIMEOUT_MS = 600_000;

async function stopWithSigterm(server: Child): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
  server.kill('SIGTERM');
  const exit = await Promise.race([server.exited, sleep(GRACEFUL_EXIT_TIMEOUT_MS).then(() => null)]);
  if (!exit) server.kill('SIGKILL');
  return exit;
}

/** The command lines of a process's direct children (Linux `ps`). */
function childCommandLines(pid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'args=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // ps exits 1 when there is no child
  }
}

describe('the compiled server that npm start runs', () => {
  const cleanup = new CleanupStack();
  let build: CompiledBuild;

  beforeAll(async () => {
    build = await buildCompiledServer();
    cleanup.add(() => build.remove());
  }, BUILD_HOOK_TIMEOUT_MS);
  afterAll(() => cleanup.run());

  it(
    'starts from the build on a fresh data directory, serves health, pages and scripts, analyses and exports a PDF, and exits 0 on SIGTERM',
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-compiled-'));
      cleanup.add(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const server = await startServerProcess(
        { DATA_DIR: dataDir, DATABASE_URL: '', AUTH: 'off', OCR: 'off' },
        SERVER_START_TIMEOUT_MS,
        {
          compiledDir: build.dir,
        },
      );
      cleanup.add(() => server.kill('SIGKILL'));
      expect(server.proc.spawnargs).toContain(path.join(build.dir, 'server.js'));

      const health = await requestJson<{ success: boolean; status: string }>(`${server.baseUrl}/health`);
      expect(health).toMatchObject({ status: 200, body: { success: true, status: 'ok' } });

      const page = await fetch(`${server.baseUrl}/analyzer`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<title>[^<]*Spec Analyzer/);
      const script = await fetch(`${server.baseUrl}/static/analyzer.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/javascript/);
      // The PDF viewer: its module (copied with the pages) and pdf.js, found from the build in node_modules.
      for (const asset of [
        '/static/viewer/document-viewer.js',
        '/static/viewer/document-viewer.css',
        '/static/vendor/pdfjs/build/pdf.min.mjs',
        '/static/vendor/pdfjs/build/pdf.worker.min.mjs',
      ]) {
        const r = await fetch(`${server.baseUrl}${asset}`);
        expect(r.status, asset).toBe(200);
        await r.arrayBuffer(); // read to the end: an unread body keeps its connection open past shutdown
      }

      // The default question set is a JSON file next to the compiled module that reads it.
      const questions = await requestJson<{ success: boolean; config: { sections: unknown[] } }>(
        `${server.baseUrl}/api/config/questions`,
      );
      expect(questions.status).toBe(200);
      expect(questions.body.config.sections.length).toBeGreaterThan(0);

      // An upload is parsed by pdf.js in worker threads started from the compiled tree, then analysed with the
      // default questions and stored through the migrated database.
      const id = await startAnalysis(server.baseUrl, await createLongPdf(3), 'compiled.pdf', { engine: 'extractive' });
      const final = await waitFor(
        async () => {
          const r = await requestJson<ResultsBody>(`${server.baseUrl}/api/results/${id}`);
          return r.status === 200 && r.body.status !== 'active' && r.body.status !== 'queued' ? r.body : null;
        },
        'the analysis to finish',
        ANALYSIS_TIMEOUT_MS,
      );
      expect(final.status).toBe('completed');
      expect(final.result.total_pages).toBe(3);

      const docx = await fetch(`${server.baseUrl}/api/export/${id}?format=docx`);
      expect(docx.status).toBe(200);
      expect(docx.headers.get('content-disposition')).toMatch(/^attachment; filename=.*\.docx/);
      expect(
        Buffer.from(await docx.arrayBuffer())
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');

      const exit = await stopWithSigterm(server);
      expect(exit, server.output().slice(-3000)).toEqual({ code: 0, signal: null });
    },
    TEST_TIMEOUT_MS,
  );

  (postgresAvailable() ? it : it.skip)(
    'forks its cluster workers from the compiled entry, not from the sources (WEB_CONCURRENCY=2, PostgreSQL)',
    async () => {
      const database = await createEmptyPostgresDatabase();
      cleanup.add(database.drop);
      const server = await startServerProcess(
        { DATABASE_URL: database.url, WEB_CONCURRENCY: '2', MAX_REQUESTS: '0' },
        SERVER_START_TIMEOUT_MS,
        {
          compiledDir: build.dir,
        },
      );
      cleanup.add(() => server.kill('SIGKILL'));

      const compiledEntry = path.join(build.dir, 'server.js');
      const workers = await waitFor(
        async () => {
          const lines = childCommandLines(server.proc.pid!);
          return lines.length === 2 ? lines : null;
        },
        'two cluster workers',
        SERVER_START_TIMEOUT_MS,
      );
      for (const commandLine of workers) {
        expect(commandLine).toContain(compiledEntry);
        expect(commandLine).not.toMatch(/tsx|src\/server\.ts/);
      }
      expect((await requestJson(`${server.baseUrl}/health`)).status).toBe(200);

      const exit = await stopWithSigterm(server);
      expect(exit, server.output().slice(-3000)).toEqual({ code: 0, signal: null });
    },
    TEST_TIMEOUT_MS,
  );
});
