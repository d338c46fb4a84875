/**
 * The embedded database in its own thread (what the server uses) behaves like the in-process one: results,
 * types, errors with their codes, transactions that commit or roll back, statements serialised around a
 * transaction, NOTIFY delivered, data kept on disk, and a clean close. (The data-directory lock is the same
 * lockDataDir as in-process; test/durability covers a second process.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgliteThreadDatabase } from '../../src/db/pglite-thread-database.js';
import { loadPgliteTemplate } from '../helpers/databases.js';

describe('PGlite in a worker thread', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createPgliteThreadDatabase({ loadDataDir: loadPgliteTemplate() });
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, doc jsonb, bytes bytea, at timestamptz)');
  });
  afterAll(async () => {
    await db.close();
  });

  it('returns rows with JSONB, BYTEA and timestamps as the in-process database does', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const at = new Date('2026-01-02T03:04:05.000Z');
    const ins = await db.query('INSERT INTO t (id, doc, bytes, at) VALUES ($1, $2, $3, $4)', [
      1,
      JSON.stringify({ pages: [{ n: 1, text: 'x' }] }),
      bytes,
      at,
    ]);
    expect(ins.rowCount).toBe(1);
    const r = await db.query<{ doc: unknown; bytes: Uint8Array; at: Date }>(
      'SELECT doc, bytes, at FROM t WHERE id = 1',
    );
    expect(r.rows[0]!.doc).toEqual({ pages: [{ n: 1, text: 'x' }] });
    expect([...r.rows[0]!.bytes]).toEqual([...bytes]);
    expect(r.rows[0]!.at.toISOString()).toBe(at.toISOString());
    expect(r.rowCount).toBe(1);
  });

  it('carries PostgreSQL error codes across the thread', async () => {
    await db.query('INSERT INTO t (id) VALUES (2)');
    const err = await db
      .query('INSERT INTO t (id) VALUES (2)')
      .catch((e: unknown) => e as Error & { code?: string; constraint?: string });
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('23505');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (10)');
      await tx.query('INSERT INTO t (id) VALUES (11)');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id) VALUES (12)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(db.transaction(async (tx) => tx.query('INSERT INTO t (id) VALUES (10)'))).rejects.toMatchObject({
      code: '23505',
    });
    const r = await db.query<{ id: number }>('SELECT id FROM t WHERE id >= 10 ORDER BY id');
    expect(r.rows.map((row) => row.id)).toEqual([10, 11]);
  });

  it('runs a statement issued during a transaction after it, not inside it', async () => {
    let outside: Promise<unknown> | null = null;
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (20)');
      outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id = 21');
      await tx.query('INSERT INTO t (id) VALUES (21)');
    });
    const r = (await outside!) as { rows: Array<{ n: number }> };
    expect(r.rows[0]!.n).toBe(1);
  });

  it('delivers NOTIFY to listeners and stops after unsubscribing', async () => {
    const got: string[] = [];
    const unsubscribe = await db.listen('thread_test', (payload) => got.push(payload));
    expect(unsubscribe).not.toBeNull();
    await db.notify('thread_test', 'one');
    await db.transaction(async (tx) => {
      await tx.query("SELECT pg_notify('thread_test', 'two')");
    });
    const deadline = Date.now() + 10_000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['one', 'two']);
    await unsubscribe!();
    await db.notify('thread_test', 'three');
    await db.ping();
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['one', 'two']);
  });
});

describe('PGlite in a worker thread, on disk', () => {
  it('keeps data across a close and reopen, and answers no query once closed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pglite-thread-'));
    try {
      const dataDir = path.join(dir, 'db');
      const first = await createPgliteThreadDatabase({ dataDir });
      await first.exec('CREATE TABLE kept (v text)');
      await first.query('INSERT INTO kept VALUES ($1)', ['still here']);
      await first.close();
      await expect(first.query('SELECT 1')).rejects.toThrow();
      const second = await createPgliteThreadDatabase({ dataDir });
      const r = await second.query<{ v: string }>('SELECT v FROM kept');
      expect(r.rows).toEqual([{ v: 'still here' }]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
