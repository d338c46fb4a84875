/**
 * Config → the right Database implementation: PostgreSQL when DATABASE_URL is set, embedded PGlite (in a worker thread)
 * otherwise.
 */
import type { Config } from '../config.js';
import type { Database } from './database.js';
import { createPgDatabase } from './pg-database.js';
import { createPgliteThreadDatabase } from './pglite-thread-database.js';

export async function createDatabase(config: Config, onError?: (err: Error) => void): Promise<Database> {
  const d = config.database;
  if (d.kind === 'postgres') {
    return createPgDatabase({
      url: d.url,
      directUrl: d.directUrl,
      poolMax: d.poolMax,
      statementTimeoutMs: d.statementTimeoutMs,
      ssl: d.ssl,
      onError,
    });
  }
  // In its own thread: PGlite runs statements (and serialises parameters) on the thread that calls it.
  return createPgliteThreadDatabase({ dataDir: d.dataDir });
}
