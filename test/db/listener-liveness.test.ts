/**
 * A LISTEN connection can die without either end noticing (a NAT or load balancer drops an idle flow and sends
 * no FIN): the socket looks open, notifications just stop. Finished results trusted from memory would then be
 * served forever, deleted ones included. Here a TCP proxy in front of the listener "black-holes" the flow.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { FinishedSessionVersions } from '../../src/db/result-cache.js';
import { createSession } from '../../src/db/queries/create-session.js';
import { updateSessionStatus } from '../../src/db/queries/sessions.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { makeSessionInput } from '../helpers/factories.js';

const PING_MS = 200;
// Bounds for a busy machine, not speed claims: a dead connection that nobody pings is trusted forever, so any
// bound proves the ping noticed it (idle: within a few ping intervals).
const NOTICED_WITHIN_MS = 100 * PING_MS;

/** A TCP proxy to PostgreSQL that can silently stop passing bytes without closing anything. */
async function startBlackholeProxy(
  target: URL,
): Promise<{ port: number; freeze(): void; thaw(): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d) => (frozen ? undefined : upstream.write(d)));
    upstream.on('data', (d) => (frozen ? undefined : client.write(d)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => (frozen = true),
    thaw: () => (frozen = false),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

(postgresAvailable() ? describe : describe.skip)('a LISTEN connection that silently stops delivering', () => {
  let t: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startBlackholeProxy>>;
  let db: Database;
  let versions: FinishedSessionVersions;

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    const real = new URL(t.url!);
    proxy = await startBlackholeProxy(real);
    const viaProxy = new URL(t.url!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    db = createPgDatabase({
      url: t.url!,
      directUrl: viaProxy.toString(),
      poolMax: 2,
      statementTimeoutMs: 30_000,
      ssl: 'auto',
      listenerPingMs: PING_MS,
    });
    versions = new FinishedSessionVersions(db);
    expect(await versions.start()).toBe(true);
  });

  afterAll(async () => {
    await proxy?.close(); // first: a connection still frozen would make closing the listener wait forever
    await versions?.stop();
    await db?.close();
    await t?.drop();
  });

  it('stops trusting memory once its pings go unanswered, then replaces the connection', async () => {
    const s = await createSession(db, makeSessionInput());
    await updateSessionStatus(db, s.id, 'completed', {});
    expect((await versions.read(s.id))?.status).toBe('completed');
    expect(versions.size).toBe(1);
    const epoch = db.listenerEpoch();
    expect(epoch).not.toBeNull();

    proxy.freeze();
    try {
      await db.query('DELETE FROM sessions WHERE session_id = $1', [s.id]); // its NOTIFY never arrives
      const staleForMs = await waitUntil(
        'the deleted session to read as gone',
        async () => (await versions.read(s.id)) === null,
        NOTICED_WITHIN_MS,
      );
      console.info(
        `listener-liveness: a silently dead LISTEN connection served the deleted result for ${staleForMs} ms (ping every ${PING_MS} ms)`,
      );
      expect(db.listenerEpoch()).toBeNull();
    } finally {
      proxy.thaw();
    }

    await waitUntil('a new LISTEN connection', () => db.listenerEpoch() !== null, NOTICED_WITHIN_MS);
    expect(db.listenerEpoch()).not.toBe(epoch);
    expect(await versions.read(s.id)).toBeNull();
  }, 90_000);
});
