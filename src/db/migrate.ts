/**
 * Forward-only numbered plain-SQL migrations (src/db/migrations/NNNN_name.sql), applied at start-up and by
 * `npm run db:migrate`. Each runs in its own transaction that first takes a transaction-scoped advisory lock
 * and records itself, so two processes migrating at once serialise and the second finds the work done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from './database.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Arbitrary but fixed: every process of this app contends on the same advisory lock key.
const MIGRATION_LOCK_KEY = 727_310_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f));
  files.sort();
  const migrations = files.map((file) => ({
    version: Number.parseInt(file.slice(0, 4), 10),
    name: file.replace(/\.sql$/, ''),
    sql: fs.readFileSync(path.join(dir, file), 'utf8'),
  }));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration numbering gap at ${m.name} (expected ${i + 1})`);
  });
  return migrations;
}

async function ensureMigrationsTable(q: Queryable): Promise<void> {
  await q.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
}

/** Apply every pending migration. Returns the names applied by this call. */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  const applied: string[] = [];
  for (const m of migrations) {
    const didApply = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await ensureMigrationsTable(tx);
      const inserted = await tx.query(
        'INSERT INTO schema_migrations (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING',
        [m.version, m.name],
      );
      if (inserted.rowCount === 0) return false;
      await tx.exec(m.sql);
      return true;
    });
    if (didApply) applied.push(m.name);
  }
  return applied;
}

/** Names of migrations not yet applied (for /ready). Throws if the database is unreachable. */
export async function pendingMigrations(db: Queryable, migrations = loadMigrations()): Promise<string[]> {
  const exists = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!exists.rows[0]?.t) return migrations.map((m) => m.name);
  const r = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const done = new Set(r.rows.map((row) => row.version));
  return migrations.filter((m) => !done.has(m.version)).map((m) => m.name);
}
