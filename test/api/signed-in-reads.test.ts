/**
 * A signed-in GET /api/results/:id resolves its token from memory (src/auth/login-cache.ts), validated by the
 * `login_changed` notifications of the login_change_notify migration. Two app instances on one database, like two
 * server
 * processes (on PostgreSQL each has its own pool and LISTEN connection, the second's through a TCP proxy that
 * can cut it): reads on B make no token query, and every change to a login made on A, by the CLI's functions
 * or by raw SQL is refused on B as soon as the notification arrives.
 */
import net from 'node:net';
import { createSession } from '../../src/db/queries/create-session.js';
import { updateSessionStatus } from '../../src/db/queries/sessions.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createUser, removeUser, resetPassword } from '../../src/auth/accounts.js';
import { createTestDatabase, describeEachDatabase } from '../helpers/databases.js';
import { makeSessionInput } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

// A change made elsewhere must be refused within this (notifications arrive in ~15 ms; generous for CI).
const REFUSED_WITHIN_MS = 5_000;
const ORIGIN_HEADERS = { origin: 'http://localhost:80', host: 'localhost:80' };

/** Counts the token lookups (login_sessions ⋈ users) a database receives. */
function countingTokenQueries(db: Database): { db: Database; count: () => number } {
  let n = 0;
  const counted: Database = Object.create(db) as Database;
  counted.query = (sql, params) => {
    if (/FROM login_sessions s JOIN users/.test(sql)) n += 1;
    return db.query(sql, params);
  };
  return { db: counted, count: () => n };
}

/** A TCP proxy to PostgreSQL that can cut every connection through it and refuse new ones until restored. */
async function startCuttableProxy(
  target: URL,
): Promise<{ url: (base: string) => string; cut(): void; restore(): void; close(): Promise<void> }> {
  let refusing = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (base) => {
      const u = new URL(base);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut: () => {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => (refusing = false),
    close: async () => {
      refusing = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachDatabase('signed-in reads resolved without a token query', ({ db, kind, url }) => {
  let a: TestApp;
  let b: TestApp;
  let bCounter: ReturnType<typeof countingTokenQueries>;
  let otherDb: Database | null = null;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>> | null = null;
  let userNo = 0;

  beforeAll(async () => {
    a = await createTestApp(db(), { AUTH: 'on', WORKER_ENABLED: 'false' });
    if (kind === 'postgres') {
      proxy = await startCuttableProxy(new URL(url()!));
      otherDb = createPgDatabase({
        url: url()!,
        directUrl: proxy.url(url()!),
        poolMax: 3,
        statementTimeoutMs: 30_000,
        ssl: 'auto',
        listenerPingMs: 200,
      });
    }
    bCounter = countingTokenQueries(otherDb ?? db());
    b = await createTestApp(bCounter.db, { AUTH: 'on', WORKER_ENABLED: 'false' });
  });

  afterAll(async () => {
    await proxy?.close();
    await b?.close();
    await a?.close();
    await otherDb?.close();
  });

  /** A new user, signed in on A, with a finished session of their own. */
  const signedInUser = async (role: 'user' | 'admin' = 'user') => {
    userNo += 1;
    const email = `reader${userNo}@example.com`;
    const password = `reader-password-${userNo}`;
    const { user } = await createUser(db(), { email, password, role });
    const r = await a.app.inject({
      method: 'POST',
      url: '/api/authenticate',
      payload: { email, password, return_token: true },
      headers: ORIGIN_HEADERS,
    });
    expect(r.statusCode).toBe(200);
    const s = await createSession(a.ctx.db, makeSessionInput({ ownerId: user.id }));
    await updateSessionStatus(a.ctx.db, s.id, 'completed', {});
    return { email, userId: user.id, token: r.json().token as string, sessionId: s.id };
  };
  const read = (t: TestApp, sessionId: string, token: string, via: 'bearer' | 'cookie' = 'bearer') =>
    t.app.inject({
      method: 'GET',
      url: `/api/results/${sessionId}`,
      ...(via === 'bearer' ? { headers: { authorization: `Bearer ${token}` } } : { cookies: { sa_session: token } }),
    });
  /** B answers `expected` for the read within the bounded wait (the notification has to arrive). */
  const refusedOnB = async (sessionId: string, token: string, expected: number) =>
    waitUntil(
      `B answering ${expected}`,
      async () => (await read(b, sessionId, token)).statusCode === expected,
      REFUSED_WITHIN_MS,
    );

  it('makes no token query for repeated signed-in reads, by bearer token and by cookie', async () => {
    const u = await signedInUser();
    expect((await read(b, u.sessionId, u.token)).statusCode).toBe(200);
    const before = bCounter.count();
    for (let i = 0; i < 5; i++) {
      expect((await read(b, u.sessionId, u.token, 'bearer')).statusCode).toBe(200);
      expect((await read(b, u.sessionId, u.token, 'cookie')).statusCode).toBe(200);
    }
    expect(bCounter.count() - before).toBe(0);
    expect(b.ctx.logins.size).toBeGreaterThan(0);
    const admin = await signedInUser('admin');
    const metrics = await b.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(metrics.body).toMatch(/spec_analyzer_logins_in_memory [1-9]/);
  });

  it('refuses on B a token signed out on A as soon as the notification arrives, and on A at once', async () => {
    const u = await signedInUser();
    expect((await read(b, u.sessionId, u.token)).statusCode).toBe(200);
    expect((await read(a, u.sessionId, u.token)).statusCode).toBe(200);
    const out = await a.app.inject({
      method: 'POST',
      url: '/api/logout',
      headers: { authorization: `Bearer ${u.token}` },
    });
    expect(out.statusCode).toBe(200);
    expect((await read(a, u.sessionId, u.token)).statusCode).toBe(401);
    await refusedOnB(u.sessionId, u.token, 401);
  });

  it('refuses the old sign-ins after a password reset (as `npm run user -- reset` does it)', async () => {
    const u = await signedInUser();
    expect((await read(b, u.sessionId, u.token)).statusCode).toBe(200);
    await resetPassword(db(), u.email, 'a-new-password-123');
    await refusedOnB(u.sessionId, u.token, 401);
  });

  it('applies a role change made in SQL: a demoted admin no longer sees other users’ results', async () => {
    const admin = await signedInUser('admin');
    const other = await signedInUser();
    expect((await read(b, other.sessionId, admin.token)).statusCode).toBe(200);
    await db().query("UPDATE users SET role = 'user' WHERE user_id = $1", [admin.userId]);
    await refusedOnB(other.sessionId, admin.token, 404);
    expect((await read(b, admin.sessionId, admin.token)).statusCode).toBe(200); // still signed in, as a user
  });

  it('refuses the sign-ins of a deleted user', async () => {
    const u = await signedInUser();
    expect((await read(b, u.sessionId, u.token)).statusCode).toBe(200);
    await removeUser(db(), u.email);
    await refusedOnB(u.sessionId, u.token, 401);
  });

  describe.runIf(kind === 'postgres')('when the LISTEN connection is lost', () => {
    it('asks the database on every read while it is down, and trusts nothing remembered from before once it is back', async () => {
      const u = await signedInUser();
      expect((await read(b, u.sessionId, u.token)).statusCode).toBe(200);
      const epoch = otherDb!.listenerEpoch();
      expect(epoch).not.toBeNull();

      proxy!.cut(); // the listener's connection drops and cannot come back until restored
      await waitUntil('the listener to be down', () => otherDb!.listenerEpoch() === null, REFUSED_WITHIN_MS);
      const before = bCounter.count();
      for (let i = 0; i < 4; i++) expect((await read(b, u.sessionId, u.token)).statusCode).toBe(200);
      expect(bCounter.count() - before).toBe(4);

      // Signed out while nobody listens: this notification is lost for good.
      await db().query('UPDATE login_sessions SET revoked_at = now() WHERE user_id = $1', [u.userId]);
      expect((await read(b, u.sessionId, u.token)).statusCode).toBe(401);

      const v = await signedInUser(); // a login read and remembered... after the reconnect only
      proxy!.restore();
      await waitUntil('a new LISTEN connection', () => otherDb!.listenerEpoch() !== null, 15_000);
      expect(otherDb!.listenerEpoch()).not.toBe(epoch);
      expect((await read(b, u.sessionId, u.token)).statusCode).toBe(401);
      const again = bCounter.count();
      expect((await read(b, v.sessionId, v.token)).statusCode).toBe(200);
      expect((await read(b, v.sessionId, v.token)).statusCode).toBe(200);
      expect(bCounter.count() - again).toBe(1); // remembered again under the new connection
    }, 30_000);
  });
});

describe('signed-in reads without LISTEN', () => {
  it('asks the database on every read (events mode poll, e.g. a pooled Neon endpoint)', async () => {
    const t = await createTestDatabase('pglite');
    const counter = countingTokenQueries(t.db);
    const app = await createTestApp(counter.db, { AUTH: 'on', WORKER_ENABLED: 'false', EVENTS_MODE: 'poll' });
    try {
      const { user } = await createUser(t.db, { email: 'poll@example.com', password: 'poll-password-1', role: 'user' });
      const r = await app.app.inject({
        method: 'POST',
        url: '/api/authenticate',
        payload: { email: 'poll@example.com', password: 'poll-password-1', return_token: true },
        headers: ORIGIN_HEADERS,
      });
      const token = r.json().token as string;
      const s = await createSession(app.ctx.db, makeSessionInput({ ownerId: user.id }));
      await updateSessionStatus(app.ctx.db, s.id, 'completed', {});
      const before = counter.count();
      for (let i = 0; i < 3; i++) {
        expect(
          (
            await app.app.inject({
              method: 'GET',
              url: `/api/results/${s.id}`,
              headers: { authorization: `Bearer ${token}` },
            })
          ).statusCode,
        ).toBe(200);
      }
      expect(counter.count() - before).toBe(3);
    } finally {
      await app.close();
      await t.drop();
    }
  });
});
