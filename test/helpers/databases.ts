/**
 * Test databases on both backends. Every test file (or describe block) gets its own isolated database:
 * a fresh PostgreSQL database created on the test server, or a PGlite loaded from the migrated template.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createPgDatabase } from '../../src/db/pg-database.js';
import { createPgliteDatabase } from '../../src/db/pglite-database.js';
import { createPgliteThreadDatabase } from '../../src/db/pglite-thread-database.js';
import { migrate } from '../../src/db/migrate.js';

export type BackendKind = 'pglite' | 'postgres';
export const BACKENDS: readonly BackendKind[] = ['pglite', 'postgres'];

export interface TestDatabase {
  db: Database;
  kind: BackendKind;
  /** Connection URL of the isolated database (postgres only): for child processes. */
  url: string | null;
  drop(): Promise<void>;
}

export function postgresAvailable(): boolean {
  return Boolean(inject('pgAdminUrl'));
}

/** A fresh, empty PostgreSQL database on the test server (not migrated). */
export async function createEmptyPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  if (!adminUrl) throw new Error('PostgreSQL is not available');
  const name = `sa_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function loadPgliteTemplate(): Blob {
  return new Blob([new Uint8Array(fs.readFileSync(inject('pgliteTemplatePath')))]);
}

export async function createTestDatabase(kind: BackendKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // PGLITE_THREAD=1 runs the PGlite pass on the worker-thread implementation the server uses.
    const open = process.env.PGLITE_THREAD === '1' ? createPgliteThreadDatabase : createPgliteDatabase;
    const db = await open({ loadDataDir: loadPgliteTemplate() });
    return { db, kind, url: null, drop: () => db.close() };
  }
  const { url, drop } = await createEmptyPostgresDatabase();
  const db = createPgDatabase({ url, directUrl: null, poolMax: 5, statementTimeoutMs: 30_000, ssl: 'auto' });
  await migrate(db);
  return {
    db,
    kind,
    url,
    drop: async () => {
      await db.close();
      await drop();
    },
  };
}

/**
 * Declare the same suite once per backend: `describeEachDatabase('session store', (ctx) => { it(...) })`.
 * The PostgreSQL pass is skipped (the global setup printed why) only when no server is reachable.
 */
export function describeEachDatabase(
  name: string,
  fn: (ctx: { db: () => Database; kind: BackendKind; url: () => string | null }) => void,
): void {
  for (const kind of BACKENDS) {
    const run = kind === 'pglite' || postgresAvailable();
    const d = run ? describe : describe.skip;
    d(`${name} [${kind}${run ? '' : ': SKIPPED, PostgreSQL not reachable'}]`, () => {
      let t: TestDatabase | undefined;
      beforeAll(async () => {
        t = await createTestDatabase(kind);
      });
      afterAll(async () => {
        await t?.drop();
      });
      fn({
        db: () => {
          if (!t) throw new Error('test database not ready');
          return t.db;
        },
        kind,
        url: () => t?.url ?? null,
      });
    });
  }
}
