/**
 * What the HTTP benchmarks need around real server processes: a throw-away PostgreSQL database or PGlite
 * data directory, a generated CIPP spec PDF, an analysis run through the public API to completion, and a
 * bounded shutdown. Everything here talks only to 127.0.0.1.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { QuestionConfig } from '../src/questions/types.js';
import { createPdf } from '../test/helpers/pdf-factory.js';
import { buildCompiledServer, type CompiledBuild } from '../test/helpers/compiled-build.js';
import { startServerProcess, type Child } from '../test/helpers/processes.js';
import { generateSyntheticSpec } from './synthetic-spec.js';

export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
// A server that ignores SIGTERM this long is killed outright.
const STOP_GRACE_MS = 5_000;
const ANALYZE_TIMEOUT_MS = 30_000;
// Body font small enough that the generated spec's ~95-character lines fit the page width.
const SPEC_FONT_PT = 9;

export type ServerChild = Child & { port: number; baseUrl: string };

/** A fresh, empty PostgreSQL database; null when the server is not reachable. */
export async function createTempPostgresDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch {
    return null;
  } finally {
    await admin.end().catch(() => undefined);
  }
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function createTempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export async function stopChild(child: Child | null | undefined): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await child.exited;
  clearTimeout(timer);
}

/**
 * The real server with request logging off, so logging does not dominate the numbers. It runs the compiled build
 * (what `npm start` runs; built once per bench process) unless BENCH_FROM_SOURCES=1: from the sources, tsx
 * transpiles each module on first use, on the server's own thread, which production never pays for.
 */
export async function startBenchServer(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ServerChild> {
  const compiledDir = process.env.BENCH_FROM_SOURCES === '1' ? undefined : (await compiledBuild()).dir;
  return startServerProcess({ LOG_LEVEL: 'warn', OCR: 'off', ...env }, 120_000, { nodeArgs, compiledDir });
}

let build: Promise<CompiledBuild> | null = null;
function compiledBuild(): Promise<CompiledBuild> {
  if (build === null) {
    build = buildCompiledServer();
    void build.then((b) => process.once('exit', () => b.remove()));
  }
  return build;
}

export async function loadDefaultConfig(): Promise<QuestionConfig> {
  const file = fileURLToPath(new URL('../src/questions/cipp_questions_default.json', import.meta.url));
  return JSON.parse(await readFile(file, 'utf8')) as QuestionConfig;
}

/** A generated CIPP bid spec as a real PDF, with answers to most of the default config's questions planted. */
export async function createSpecPdf(pageCount: number, seed = 7): Promise<Uint8Array> {
  const spec = generateSyntheticSpec(await loadDefaultConfig(), { pageCount, seed });
  return createPdf(spec.pages.map((p) => ({ lines: p.text.split('\n'), fontSize: SPEC_FONT_PT })));
}

/** POST /api/analyze with the default config and the extractive engine; returns the session id. */
export async function startAnalysis(baseUrl: string, pdf: Uint8Array, filename: string): Promise<string> {
  const form = new FormData();
  form.append('engine', 'extractive');
  form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), filename);
  const res = await fetch(`${baseUrl}/api/analyze`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(ANALYZE_TIMEOUT_MS),
  });
  const json = (await res.json()) as { session_id?: string; error?: string };
  if (res.status !== 202 || !json.session_id)
    throw new Error(`analyze failed (${res.status}): ${JSON.stringify(json)}`);
  return json.session_id;
}

/** Poll GET /api/results/:id until the session is terminal; returns the final body text. */
export async function waitForTerminal(
  baseUrl: string,
  sessionId: string,
  timeoutMs: number,
): Promise<{ status: string; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let status = 'unknown';
  while (Date.now() < deadline) {
    // On a busy shared machine the server analysing the document can miss one poll's timeout: poll again.
    const res = await fetch(`${baseUrl}/api/results/${sessionId}`, { signal: AbortSignal.timeout(10_000) }).catch(
      (err: unknown) => {
        if ((err as { name?: string } | null)?.name === 'TimeoutError') return null;
        throw err;
      },
    );
    if (!res) continue;
    const body = await res.text();
    status = (JSON.parse(body) as { status?: string }).status ?? `HTTP ${res.status}`;
    if (status === 'completed' || status === 'partial' || status === 'failed') return { status, body };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`session ${sessionId} not finished within ${timeoutMs} ms (last status: ${status})`);
}
