/**
 * Runs once before all test files:
 * - checks whether the PostgreSQL test server is reachable. Tests run on PGlite AND PostgreSQL; the
 *   PostgreSQL pass is skipped with a visible notice only when no server answers, unless REQUIRE_POSTGRES=1
 *   (set by .ci/run), which turns a missing server into a failure;
 * - builds a migrated PGlite template once (initdb costs 3–10 s and ~800 MB), which test files load.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createPgliteDatabase, dumpPgliteDatabase } from '../../src/db/pglite-database.js';
import { migrate } from '../../src/db/migrate.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string | null;
    pgliteTemplatePath: string;
  }
}

async function postgresReachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  const problem = await postgresReachable(url);
  if (problem) {
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL is not reachable at ${url}: ${problem}`);
    }
    console.warn(
      `\n*** NOTICE: PostgreSQL not reachable at ${url} (${problem}).\n` +
        '*** The PostgreSQL pass of the database tests is SKIPPED; only PGlite runs.\n' +
        '*** Set TEST_DATABASE_URL, or start PostgreSQL, to run both. CI sets REQUIRE_POSTGRES=1.\n',
    );
    project.provide('pgAdminUrl', null);
  } else {
    project.provide('pgAdminUrl', url);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-pglite-template-'));
  const templatePath = path.join(dir, 'template.tar');
  const db = await createPgliteDatabase();
  await migrate(db);
  const blob = await dumpPgliteDatabase(db);
  fs.writeFileSync(templatePath, Buffer.from(await blob.arrayBuffer()));
  await db.close();
  project.provide('pgliteTemplatePath', templatePath);

  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
