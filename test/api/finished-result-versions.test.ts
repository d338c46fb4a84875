import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/db/queries/create-session.js';
import { updateSessionStatus } from '../../src/db/queries/sessions.js';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { makeSessionInput } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

// A change made elsewhere must be seen within this bound. Notifications arrive in ~15 ms when idle; the bound is
// for a busy machine, not a speed claim: without the notification the old entry would be served forever.
const SEEN_WITHIN_MS = 20_000;

/** Counts the per-read version queries a database receives. */
function countingVersionQueries(db: Database): { db: Database; count: () => number } {
  let n = 0;
  const counted: Database = Object.create(db) as Database;
  counted.query = (sql, params) => {
    if (/FROM sessions WHERE session_id = ANY/.test(sql)) n += 1;
    return db.query(sql, params);
  };
  return { db: counted, count: () => n };
}

async function statusWithin(t: TestApp, id: string, expected: number, ms = SEEN_WITHIN_MS): Promise<number> {
  const started = Date.now();
  for (;;) {
    const r = await t.app.inject({ method: 'GET', url: `/api/results/${id}` });
    if (r.statusCode === expected) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`still ${r.statusCode} after ${ms} ms (waiting for ${expected})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachDatabase('finished results served without a database round trip per read', ({ db, kind, url }) => {
  // Two app instances, like two server processes: on PostgreSQL each has its own pool and LISTEN connection.
  let a: TestApp;
  let b: TestApp;
  let bCounter: ReturnType<typeof countingVersionQueries>;
  let otherDb: Database | null = null;

  beforeAll(async () => {
    a = await createTestApp(db(), { WORKER_ENABLED: 'false' });
    otherDb =
      kind === 'postgres'
        ? createPgDatabase({ url: url()!, directUrl: null, poolMax: 3, statementTimeoutMs: 30_000, ssl: 'auto' })
        : null;
    bCounter = countingVersionQueries(otherDb ?? db());
    b = await createTestApp(bCounter.db, { WORKER_ENABLED: 'false' });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await otherDb?.close();
  });

  const finishedSession = async () => {
    const s = await createSession(a.ctx.db, makeSessionInput());
    await updateSessionStatus(a.ctx.db, s.id, 'completed', {});
    return s.id;
  };

  it('asks the database once for a finished session, then serves it from memory', async () => {
    const id = await finishedSession();
    const first = await b.app.inject({ method: 'GET', url: `/api/results/${id}` });
    expect(first.statusCode).toBe(200);
    const before = bCounter.count();
    for (let i = 0; i < 5; i++) {
      const r = await b.app.inject({ method: 'GET', url: `/api/results/${id}` });
      expect(r.statusCode).toBe(200);
      expect(r.headers.etag).toBe(first.headers.etag);
    }
    expect(bCounter.count() - before).toBe(0);
    const metrics = await b.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/spec_analyzer_finished_versions_in_memory [1-9]/);
  });

  it('asks the database on every read while the session is not finished', async () => {
    const s = await createSession(a.ctx.db, makeSessionInput());
    const before = bCounter.count();
    for (let i = 0; i < 3; i++)
      expect((await b.app.inject({ method: 'GET', url: `/api/results/${s.id}` })).statusCode).toBe(200);
    expect(bCounter.count() - before).toBe(3);
  });

  it('sees a delete by another instance through its notification, and its own delete at once', async () => {
    const id = await finishedSession();
    expect((await b.app.inject({ method: 'GET', url: `/api/results/${id}` })).statusCode).toBe(200);
    expect((await a.app.inject({ method: 'GET', url: `/api/results/${id}` })).statusCode).toBe(200);

    const del = await a.app.inject({ method: 'DELETE', url: `/api/admin/analysis/${id}` });
    expect(del.statusCode).toBe(200);
    // The instance that deleted never serves the old result again.
    expect((await a.app.inject({ method: 'GET', url: `/api/results/${id}` })).statusCode).toBe(404);
    await statusWithin(b, id, 404);
  });

  it('sees a change made straight in the database (no app involved), announced by the trigger', async () => {
    const id = await finishedSession();
    const first = await b.app.inject({ method: 'GET', url: `/api/results/${id}` });
    expect(first.statusCode).toBe(200);
    await db().query(
      "UPDATE sessions SET status = 'failed', error_message = 'marked by an operator', updated_at = now() WHERE session_id = $1",
      [id],
    );
    const started = Date.now();
    for (;;) {
      const r = await b.app.inject({ method: 'GET', url: `/api/results/${id}` });
      if (r.headers.etag !== first.headers.etag) {
        expect(r.json().status).toBe('failed');
        break;
      }
      if (Date.now() - started > SEEN_WITHIN_MS) throw new Error('the change was not seen');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  describe.runIf(kind === 'postgres')('when the LISTEN connection is lost', () => {
    it('trusts nothing from memory while it is down, nor what it remembered from before once it is back', async () => {
      const id = await finishedSession();
      expect((await b.app.inject({ method: 'GET', url: `/api/results/${id}` })).statusCode).toBe(200);
      const epoch = otherDb!.listenerEpoch();
      expect(epoch).not.toBeNull();

      await db().query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'spec-analyzer-listen' AND datname = current_database()",
      );
      const lostBy = Date.now() + SEEN_WITHIN_MS;
      while (otherDb!.listenerEpoch() !== null && Date.now() < lostBy)
        await new Promise((resolve) => setTimeout(resolve, 2));
      // (If it already reconnected, the epoch differs and the old entry is void just the same.)
      expect(otherDb!.listenerEpoch()).not.toBe(epoch);

      // Deleted while nobody listens: this notification is lost for good.
      await db().query('DELETE FROM sessions WHERE session_id = $1', [id]);
      expect((await b.app.inject({ method: 'GET', url: `/api/results/${id}` })).statusCode).toBe(404);

      // Back on a new connection: the version remembered under the old one must not come back to life.
      const backBy = Date.now() + SEEN_WITHIN_MS;
      while (otherDb!.listenerEpoch() === null && Date.now() < backBy)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(otherDb!.listenerEpoch()).not.toBeNull();
      expect((await b.app.inject({ method: 'GET', url: `/api/results/${id}` })).statusCode).toBe(404);
    }, 90_000);
  });
});

describe('finished result versions without LISTEN', () => {
  it('asks the database on every read (events mode poll, e.g. a pooled Neon endpoint)', async () => {
    const { createTestDatabase } = await import('../helpers/databases.js');
    const t = await createTestDatabase('pglite');
    const counter = countingVersionQueries(t.db);
    const app = await createTestApp(counter.db, { WORKER_ENABLED: 'false', EVENTS_MODE: 'poll' });
    try {
      const s = await createSession(app.ctx.db, makeSessionInput());
      await updateSessionStatus(app.ctx.db, s.id, 'completed', {});
      const before = counter.count();
      for (let i = 0; i < 3; i++)
        expect((await app.app.inject({ method: 'GET', url: `/api/results/${s.id}` })).statusCode).toBe(200);
      expect(counter.count() - before).toBe(3);
    } finally {
      await app.close();
      await t.drop();
    }
  });
});
