/**
 * Embedded PGlite behind the Database seam, run in its own worker thread (pglite-worker.mjs). PGlite executes
 * statements in WASM on the calling thread; in-process, storing a long document stalled the HTTP thread for
 * seconds. Here the server's thread only posts messages. Semantics are those of pglite-database.ts: one
 * connection, transactions serialised by PGlite, NOTIFY delivered in-process (relayed as messages), the same
 * exclusive lock on the data directory (taken here, by this process).
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Database, NotificationHandler, QueryResult, Queryable } from './database.js';
import { lockDataDir, type PgliteOptions } from './pglite-database.js';

const WORKER_URL = new URL('./pglite-worker.mjs', import.meta.url);

type Request =
  | { op: 'open'; dataDir?: string; loadDataDir?: ArrayBuffer }
  | { op: 'query'; sql: string; params?: readonly unknown[]; tx?: number }
  | { op: 'exec'; sql: string; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen' | 'unlisten'; channel: string }
  | { op: 'dump' }
  | { op: 'close' };

type Reply =
  | { id: number; result?: unknown; error?: Record<string, unknown> & { message: string; name: string } }
  | { type: 'notification'; channel: string; payload: string };

/** A PostgreSQL error from the thread, with its fields (code, detail, constraint...) as pg and PGlite give them. */
function rebuildError(e: Record<string, unknown> & { message: string; name: string }): Error {
  const err = new Error(e.message) as Error & Record<string, unknown>;
  for (const [k, v] of Object.entries(e)) if (k !== 'message') err[k] = v;
  return err;
}

export async function createPgliteThreadDatabase(options: PgliteOptions = {}): Promise<Database> {
  let release: (() => void) | null = null;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    release = lockDataDir(options.dataDir);
  }
  // execArgv []: the parent's loaders and profiling flags do not apply to this plain-JavaScript thread.
  const worker = new Worker(WORKER_URL, { execArgv: [] });
  let nextId = 1;
  let closed = false;
  let gone: Error | null = null;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const handlers = new Map<string, Set<NotificationHandler>>();

  const fail = (err: Error) => {
    gone ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (msg: Reply) => {
    if ('type' in msg) {
      for (const h of handlers.get(msg.channel) ?? []) h(msg.payload);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(rebuildError(msg.error));
    else p.resolve(msg.result);
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`the database thread stopped (exit code ${code})`)));

  const request = <T>(req: Request): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, ...req });
    });
  };

  try {
    const loadDataDir = options.loadDataDir ? await options.loadDataDir.arrayBuffer() : undefined;
    await request({ op: 'open', dataDir: options.dataDir, loadDataDir });
  } catch (err) {
    await worker.terminate();
    release?.();
    throw err;
  }

  const queryable = (tx?: number): Queryable => ({
    query: <T>(sql: string, params?: readonly unknown[]) => request<QueryResult<T>>({ op: 'query', sql, params, tx }),
    exec: async (sql: string) => {
      await request({ op: 'exec', sql, tx });
    },
  });
  const direct = queryable();

  const db: Database = {
    kind: 'pglite',
    query: direct.query,
    exec: direct.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      // PGlite serialises transactions itself (single connection); statements outside it wait for it.
      const tx = await request<number>({ op: 'begin' });
      let value: T;
      try {
        value = await fn(queryable(tx));
      } catch (err) {
        await request({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw err;
      }
      await request({ op: 'end', tx, commit: true });
      return value;
    },
    async listen(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await request({ op: 'listen', channel });
      }
      set.add(handler);
      return async () => {
        const s = handlers.get(channel);
        if (!s?.delete(handler) || s.size > 0) return;
        handlers.delete(channel);
        if (!closed && !gone) await request({ op: 'unlisten', channel });
      };
    },
    // In-process (one thread away): notifications cannot be lost while the database is open.
    listenerEpoch: () => (closed || gone ? null : 0),
    async notify(channel, payload) {
      await direct.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async ping() {
      if (closed) throw new Error('database closed');
      await direct.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await request({ op: 'close' }).catch(() => undefined);
        await worker.terminate();
      } finally {
        release?.();
      }
    },
  };
  return db;
}
