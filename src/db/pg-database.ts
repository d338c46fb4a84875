/** node-postgres implementation of the Database seam (local PostgreSQL, Neon, any PostgreSQL ≥ 15). */
import pg from 'pg';
import type { Database, NotificationHandler, QueryResult, Queryable } from './database.js';

export interface PgOptions {
  url: string;
  /** Direct (non-pooled) URL for LISTEN; null → same as url. */
  directUrl: string | null;
  poolMax: number;
  statementTimeoutMs: number;
  ssl: 'auto' | 'require' | 'off' | 'no-verify';
  /** Called for errors on idle connections (e.g. the server restarted); they must not crash the process. */
  onError?: (err: Error) => void;
  applicationName?: string;
}

// Time to wait for a free pooled connection before failing the query. Long enough to ride out a burst,
// short enough that /ready and requests report a dead database quickly instead of hanging.
const CONNECT_TIMEOUT_MS = 5_000;
// Listener reconnect back-off bounds: quick recovery after a database restart, no hot loop while it is down.
const LISTEN_RETRY_MIN_MS = 250;
const LISTEN_RETRY_MAX_MS = 5_000;

/**
 * pg parses `sslmode` from the URL and lets it override the `ssl` option, so when DATABASE_SSL is explicit we
 * strip sslmode from the URL and pass `ssl` ourselves. With 'auto', a Neon-style `?sslmode=require` URL
 * gets TLS with certificate verification (what pg does for sslmode=require today).
 */
export function connectionOptions(url: string, ssl: PgOptions['ssl']): pg.ClientConfig {
  if (ssl === 'auto') return { connectionString: url };
  const u = new URL(url);
  u.searchParams.delete('sslmode');
  u.searchParams.delete('sslrootcert');
  const connectionString = u.toString();
  if (ssl === 'off') return { connectionString, ssl: false };
  if (ssl === 'no-verify') return { connectionString, ssl: { rejectUnauthorized: false } };
  return { connectionString, ssl: { rejectUnauthorized: true } };
}

export function createPgDatabase(options: PgOptions): Database {
  const pool = new pg.Pool({
    ...connectionOptions(options.url, options.ssl),
    max: options.poolMax,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs || undefined,
    application_name: options.applicationName ?? 'spec-analyzer',
  });
  pool.on('error', (err) => options.onError?.(err));

  const listener = new PgListener(options);

  const db: Database = {
    kind: 'postgres',
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await pool.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
            const r = await client.query(sql, params as unknown[] | undefined);
            return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
          },
          async exec(sql: string): Promise<void> {
            await client.query(sql);
          },
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // connection is gone; do not return it to the pool
        }
        throw err;
      } finally {
        client.release(broken ? true : undefined);
      }
    },
    listen: (channel, handler) => listener.listen(channel, handler),
    listenerEpoch: () => listener.epoch(),
    async notify(channel: string, payload: string): Promise<void> {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async ping(): Promise<void> {
      await pool.query('SELECT 1');
    },
    async close(): Promise<void> {
      await listener.close();
      await pool.end();
    },
  };
  return db;
}

/** One dedicated LISTEN connection per process, re-established after the database restarts. */
class PgListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private closed = false;
  private retryMs = LISTEN_RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private connections = 0;

  constructor(private readonly options: PgOptions) {}

  /** See Database.listenerEpoch: the number of the connection that is listening now, if any. */
  epoch(): number | null {
    return this.client ? this.connections : null;
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name: ${channel}`);
    let set = this.handlers.get(channel);
    const isNew = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    await this.ensureConnected();
    if (isNew && this.client) await this.client.query(`LISTEN ${channel}`).catch(() => undefined);
    return async () => {
      const s = this.handlers.get(channel);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) {
        this.handlers.delete(channel);
        await this.client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
      }
    };
  }

  private ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const url = this.options.directUrl ?? this.options.url;
    const client = new pg.Client({ ...connectionOptions(url, this.options.ssl), application_name: 'spec-analyzer-listen' });
    client.on('notification', (msg) => {
      const set = this.handlers.get(msg.channel);
      if (set) for (const h of set) h(msg.payload ?? '');
    });
    const onLost = (err?: Error) => {
      if (err) this.options.onError?.(err);
      if (this.client === client) this.client = null;
      client.removeAllListeners('end');
      this.scheduleReconnect();
    };
    client.on('error', (err) => onLost(err));
    client.on('end', () => onLost());
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      this.connections += 1;
      this.client = client;
      this.retryMs = LISTEN_RETRY_MIN_MS;
    } catch (err) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      this.options.onError?.(err as Error);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer || this.handlers.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.ensureConnected();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, LISTEN_RETRY_MAX_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
