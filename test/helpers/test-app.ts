/** The real app on a test database, driven with app.inject (no port), with its run worker running. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { testConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { createAppContext, type AppContext } from '../../src/app-context.js';
import { buildApp } from '../../src/app.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  close(): Promise<void>;
}

export async function createTestApp(
  db: Database,
  env: NodeJS.ProcessEnv = {},
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<TestApp> {
  const config = testConfig({ DATA_DIR: '/tmp/spec-analyzer-test-unused', ...env });
  const ctx = createAppContext(config, db, `test:${randomBytes(3).toString('hex')}`);
  const app = await buildApp(ctx, options.logStream ? { logStream: options.logStream } : { logger: false });
  await app.ready(); // starts the run worker, LISTEN connections and timers (src/services.ts), as in production
  return {
    app,
    ctx,
    // The whole shutdown, exactly as the server's: streams ended, runs released, services stopped.
    close: () => app.close(),
  };
}

/** A multipart/form-data body for app.inject. */
export function multipart(
  parts: Array<
    { name: string; value: string } | { name: string; filename: string; content: Uint8Array | string; type?: string }
  >,
): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = `----specanalyzer${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in p) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(typeof p.content === 'string' ? Buffer.from(p.content) : Buffer.from(p.content));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}`));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Poll until the session is terminal (bounded). */
export async function waitForTerminal(
  app: FastifyInstance,
  id: string,
  timeoutMs = 60_000,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await app.inject({ method: 'GET', url: `/api/results/${id}`, headers });
    const body = r.json() as Record<string, unknown>;
    if (['completed', 'partial', 'failed'].includes(body.status as string)) return body;
    if (Date.now() > deadline)
      throw new Error(`session ${id} not terminal after ${timeoutMs} ms: ${body.status as string}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
