/** The services one app instance is built from: created by server.ts (or a test), handed to every route. */
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { SessionStore } from './db/session-store.js';

export interface AppContext {
  config: Config;
  db: Database;
  store: SessionStore;
  /** Unique id of this process (lease owner, logs). */
  instanceId: string;
}

export function createAppContext(config: Config, db: Database, instanceId: string): AppContext {
  return { config, db, store: new SessionStore(db), instanceId };
}
