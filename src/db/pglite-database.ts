/**
 * Embedded PGlite implementation of the Database seam: the zero-setup default for a laptop.
 * PGlite is PostgreSQL compiled to WASM in this process, with one connection. It takes no lock on its data
 * directory and two processes opening the same one silently lose writes, so we take an exclusive lock file
 * and refuse to start when another live process holds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, QueryResult, Queryable } from './database.js';

export interface PgliteOptions {
  /** On-disk data directory; undefined = in memory (tests). */
  dataDir?: string;
  /** Start from a dump (tests: a migrated template, much faster than initdb). */
  loadDataDir?: Blob;
}

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The database directory ${dir} is in use by another process (pid ${pid}). ` +
        'Only one process may open the embedded database; stop the other one, or set DATABASE_URL to a PostgreSQL server to run several.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take `<dataDir>.lock` exclusively (O_EXCL); a lock left by a dead process is taken over. Returns a release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid))
        throw new DataDirLockedError(dataDir, pid);
      fs.rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

export async function createPgliteDatabase(options: PgliteOptions = {}): Promise<Database> {
  let release: (() => void) | null = null;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    release = lockDataDir(options.dataDir);
  }
  let pglite: PGlite;
  try {
    pglite = new PGlite({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
    await pglite.waitReady;
  } catch (err) {
    release?.();
    throw err;
  }

  let closed = false;
  const wrap = async <T>(
    q: { query: PGlite['query'] },
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>> => {
    const r = await q.query<T>(sql, params as unknown[] | undefined);
    // PGlite reports affectedRows 0 for SELECT; pg reports rows matched. Take whichever says more.
    return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
  };

  const db: Database = {
    kind: 'pglite',
    query: <T>(sql: string, params?: readonly unknown[]) => wrap<T>(pglite, sql, params),
    async exec(sql: string): Promise<void> {
      await pglite.exec(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      // PGlite serialises transactions itself (single connection) and rolls back when fn throws.
      return pglite.transaction(async (tx) =>
        fn({
          query: <R>(sql: string, params?: readonly unknown[]) => wrap<R>(tx, sql, params),
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      );
    },
    async listen(channel, handler) {
      const unsub = await pglite.listen(channel, handler);
      return async () => {
        if (!closed) await unsub();
      };
    },
    // In-process: notifications cannot be lost while the database is open.
    listenerEpoch: () => (closed ? null : 0),
    async notify(channel, payload) {
      await pglite.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async ping() {
      if (closed) throw new Error('database closed');
      await pglite.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        release?.();
      }
    },
  };
  underlying.set(db, pglite);
  return db;
}

const underlying = new WeakMap<Database, PGlite>();

/**
 * Dump a PGlite database's data directory (tests: a migrated template loaded per test file, since initdb takes 3–10 s).
 */
export async function dumpPgliteDatabase(db: Database): Promise<Blob> {
  const pglite = underlying.get(db);
  if (!pglite) throw new Error('not a PGlite database');
  return (await pglite.dumpDataDir('none')) as Blob;
}
