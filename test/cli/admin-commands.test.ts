/**
 * The operator commands as a user runs them (`npm run db:migrate`, `npm run user -- …`, `npm run cleanup`),
 * each in its own process against a real database: PostgreSQL, and the embedded PGlite under DATA_DIR.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { spawnTs } from '../helpers/processes.js';
import { createEmptyPostgresDatabase, postgresAvailable } from '../helpers/databases.js';

async function runTs(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const child = spawnTs(script, args, env);
  const { code } = await child.exited;
  return { code, output: child.output() };
}

describe.runIf(postgresAvailable())('operator commands [postgres]', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('migrates an empty database, manages users, and trims old events', async () => {
    const { url, drop } = await createEmptyPostgresDatabase();
    cleanups.push(drop);
    const env = { DATABASE_URL: url };

    const migrated = await runTs('src/db/migrate-cli.ts', [], env);
    expect(migrated.code).toBe(0);
    expect(migrated.output).toMatch(
      /Applied: 0001_initial, 0002_durable_runs, 0003_accounts, 0004_session_change_notify/,
    );
    expect((await runTs('src/db/migrate-cli.ts', [], env)).output).toMatch(/up to date/);

    const added = await runTs('src/auth/user-cli.ts', ['add', 'ops@example.com', '--admin'], env);
    expect(added.code).toBe(0);
    expect(added.output).toMatch(/Added admin ops@example\.com\npassword: [A-Za-z0-9_-]{20}/);
    const dup = await runTs('src/auth/user-cli.ts', ['add', 'OPS@example.com'], env);
    expect(dup.code).toBe(1);
    expect(dup.output).toMatch(/already exists/);
    const weak = await runTs('src/auth/user-cli.ts', ['add', 'weak@example.com', '--password', 'short'], env);
    expect(weak.code).toBe(1);
    expect(weak.output).toMatch(/at least 10 characters/);
    expect(
      (await runTs('src/auth/user-cli.ts', ['reset', 'ops@example.com', '--password', 'a-new-long-password'], env))
        .output,
    ).toMatch(/Password reset/);
    expect((await runTs('src/auth/user-cli.ts', ['list'], env)).output).toMatch(/admin\s+ops@example\.com/);
    expect((await runTs('src/auth/user-cli.ts', ['remove', 'ops@example.com'], env)).code).toBe(0);
    expect((await runTs('src/auth/user-cli.ts', ['remove', 'ops@example.com'], env)).output).toMatch(/No user/);
    expect((await runTs('src/auth/user-cli.ts', [], env)).code).toBe(2);

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query("INSERT INTO sessions (session_id, pdf_filename) VALUES ('cli-test-session-000001', 'a.pdf')");
      await c.query(
        `INSERT INTO session_events (session_id, event_index, event_type, created_at) VALUES
         ('cli-test-session-000001', 1, 'analysis_started', now() - interval '9 days'),
         ('cli-test-session-000001', 2, 'analysis_complete', now())`,
      );
      const cleaned = await runTs('src/jobs/cleanup-cli.ts', [], env);
      expect(cleaned.code).toBe(0);
      expect(cleaned.output).toMatch(/Removed 1 events older than 7 days/);
      expect((await c.query('SELECT event_index FROM session_events')).rows).toEqual([{ event_index: 2 }]);
    } finally {
      await c.end();
    }
  }, 180_000);
});

describe('operator commands [pglite]', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds and lists a user in the embedded database under DATA_DIR', async () => {
    const env = { DATA_DIR: dir, DATABASE_URL: '' };
    const added = await runTs(
      'src/auth/user-cli.ts',
      ['add', 'laptop@example.com', '--password', 'laptop-password-1'],
      env,
    );
    expect(added.code, added.output).toBe(0);
    const listed = await runTs('src/auth/user-cli.ts', ['list'], env);
    expect(listed.output).toMatch(/user\s+laptop@example\.com/);
  }, 180_000);
});
