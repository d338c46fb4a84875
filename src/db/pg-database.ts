/** node-postgres implementation of the Database seam (local PostgreSQL, Neon, any PostgreSQL ≥ 15). */
import { randomBytes } from 'node:crypto';
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
  /** How often the LISTEN connection proves it still delivers notifications (default LISTENER_PING_MS). */
  listenerPingMs?: number;
}

// Time to wait for a free pooled connection before failing the query. Long enough to ride out a burst,
// short enough that /ready and requests report a dead database quickly instead of hanging.
const CONNECT_TIMEOUT_MS = 5_000;
// Listener reconnect back-off bounds: quick recovery after a database restart, no hot loop while it is down.
const LISTEN_RETRY_MIN_MS = 250;
const LISTEN_RETRY_MAX_MS = 5_000;
// The LISTEN connection notifies itself this often. A connection can die without either side noticing (a
// NAT or load balancer dropping an idle flow sends no FIN): its notifications stop while it still looks
// connected. Until a ping comes back within LISTENER_PING_MISSES intervals the connection is treated as not
// listening (listenerEpoch() = null, so nothing is trusted from memory), and then it is replaced.
const LISTENER_PING_MS = 2_000;
const LISTENER_PING_MISSES = 2.5;
const LISTENER_CLOSE_MS = 1_000;

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
  private pingTimer: NodeJS.Timeout | null = null;
  private connections = 0;
  // When the current connection last delivered a notification (its own pings included).
  private lastHeardAt = 0;
  private readonly pingMs: number;
  // This process's own ping channel, so processes do not hear each other's pings.
  private readonly pingChannel = `spec_analyzer_ping_${randomBytes(6).toString('hex')}`;

  constructor(private readonly options: PgOptions) {
    this.pingMs = options.listenerPingMs ?? LISTENER_PING_MS;
  }

  /**
   * See Database.listenerEpoch: the number of the connection that is listening now, if any. A connection
   * that has not delivered its own ping lately does not count, even if its socket still looks open.
   */
  epoch(): number | null {
    if (!this.client || Date.now() - this.lastHeardAt > this.pingMs * LISTENER_PING_MISSES) return null;
    return this.connections;
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
    const client = this.client;
    if (isNew && client) {
      // A connection that cannot LISTEN would look fine while never delivering this channel: replace it
      // (the new one LISTENs to every channel, and its epoch differs).
      await client.query(`LISTEN ${channel}`).catch((err: Error) => this.drop(client, err));
    }
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
    const client = new pg.Client({
      ...connectionOptions(url, this.options.ssl),
      application_name: 'spec-analyzer-listen',
      keepAlive: true,
    });
    client.on('notification', (msg) => {
      if (this.client === client) this.lastHeardAt = Date.now();
      const set = this.handlers.get(msg.channel);
      if (set) for (const h of set) h(msg.payload ?? '');
    });
    const onLost = (err?: Error) => {
      if (err) this.options.onError?.(err);
      if (this.client === client) {
        this.client = null;
        this.stopPinging();
      }
      client.removeAllListeners('end');
      this.scheduleReconnect();
    };
    client.on('error', (err) => onLost(err));
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN ${this.pingChannel}`);
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      this.connections += 1;
      this.lastHeardAt = Date.now();
      this.client = client;
      this.retryMs = LISTEN_RETRY_MIN_MS;
      this.startPinging(client);
    } catch (err) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      this.options.onError?.(err as Error);
      this.scheduleReconnect();
    }
  }

  private startPinging(client: pg.Client): void {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      if (this.client !== client) return;
      if (Date.now() - this.lastHeardAt > this.pingMs * LISTENER_PING_MISSES * 2) {
        this.drop(client, new Error('the LISTEN connection stopped delivering notifications; reconnecting'));
        return;
      }
      // Answered through the same connection, after every notification committed before it.
      client.query('SELECT pg_notify($1, $2)', [this.pingChannel, '']).catch(() => undefined);
    }, this.pingMs);
    this.pingTimer.unref();
  }

  private stopPinging(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** Give up on a connection that looks open but is not usable: destroy its socket; 'end' reconnects. */
  private drop(client: pg.Client, err: Error): void {
    if (this.client !== client) return;
    this.options.onError?.(err);
    this.client = null;
    this.stopPinging();
    destroySocket(client);
    this.scheduleReconnect();
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
    this.stopPinging();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      // A connection that silently died never answers the goodbye: do not let shutdown wait for it.
      const ended = c.end().catch(() => undefined);
      const timer = setTimeout(() => destroySocket(c), LISTENER_CLOSE_MS);
      await ended;
      clearTimeout(timer);
    }
  }
}

/** Close a client's socket at once, without the protocol goodbye (pg has no public API for it). */
function destroySocket(client: pg.Client): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
