/** The services one app instance is built from: created by server.ts (or a test), handed to every route. */
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { FinishedSessionVersions } from './db/result-cache.js';
import { LoginCache } from './auth/login-cache.js';
import { EventHub } from './jobs/event-hub.js';
import type { RunWorker } from './jobs/run-worker.js';
import { createEngineFactory, type CreateEngine } from './analysis/create-engine.js';

export interface AppContext {
  config: Config;
  db: Database;
  /** Unique id of this process (lease owner, logs). */
  instanceId: string;
  events: EventHub;
  /** Session versions for result reads (finished ones from memory while notifications flow; started by services). */
  sessionVersions: FinishedSessionVersions;
  /** Signed-in tokens resolved from memory while notifications flow (started by the events-hub plugin). */
  logins: LoginCache;
  createEngine: CreateEngine;
  /** This process's run worker, once started (null when WORKER_ENABLED=false). */
  worker: RunWorker | null;
}

export function createAppContext(
  config: Config,
  db: Database,
  instanceId: string,
  overrides: Partial<Pick<AppContext, 'createEngine'>> = {},
): AppContext {
  return {
    config,
    db,
    instanceId,
    events: new EventHub(db),
    sessionVersions: new FinishedSessionVersions(db),
    logins: new LoginCache(db),
    createEngine: overrides.createEngine ?? createEngineFactory(config),
    worker: null,
  };
}
