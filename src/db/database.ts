/**
 * The one database seam. Two implementations (node-postgres pool, embedded PGlite) behind the same small
 * interface; nothing outside src/db/ imports a driver. Query modules take a `Queryable` so they compose
 * inside transactions.
 */

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Run a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type NotificationHandler = (payload: string) => void;

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribe to NOTIFY on a channel. Returns an unsubscribe function. On PostgreSQL this uses a dedicated
   * connection (DATABASE_DIRECT_URL when given, since PgBouncer in transaction mode drops LISTEN); returns
   * null when listening is not possible and callers must poll instead.
   */
  listen(channel: string, handler: NotificationHandler): Promise<(() => Promise<void>) | null>;
  /**
   * Identifies the LISTEN connection as it is now: null while there is none (not yet connected, lost, or
   * closed), and a new number after every reconnect, since notifications sent in between are lost. Whoever
   * trusts "no notification means no change" must check it is the same, non-null number before and after.
   */
  listenerEpoch(): number | null;
  /** NOTIFY (delivered after commit when called inside a transaction through tx.query). */
  notify(channel: string, payload: string): Promise<void>;
  /** Cheap liveness probe: resolves when a round trip succeeds. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
