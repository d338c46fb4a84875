/**
 * Fetch of a stored ~300 KB result by session id: PGlite and PostgreSQL beside an in-memory Map (the old
 * design), interleaved in one run so machine noise hits all three alike. "Fetch" means: get the result ready
 * to send (JSON text). The Map baseline must serialise its dict per request, as the old Flask app did.
 */
import pg from 'pg';
import { createPgDatabase } from '../src/db/pg-database.js';
import { createPgliteDatabase } from '../src/db/pglite-database.js';
import { migrate } from '../src/db/migrate.js';
import { createSession } from '../src/db/queries/create-session.js';
import { selectLegacyResultText, storeResult } from '../src/db/queries/results.js';
import { selectSessionVersion } from '../src/db/queries/session-versions.js';
import { toLegacyResult } from '../src/analysis/build-result.js';
import type { Database } from '../src/db/database.js';
import { VersionedCache } from '../src/db/result-cache.js';
import { makeFullResult } from '../test/export/result-factory.js';
import { makeSessionInput } from '../test/helpers/factories.js';
import { machineInfo, summarize } from './stats.js';

const ROUNDS = 10;
const PER_ROUND = 100;

async function postgresDb(): Promise<{ db: Database; drop: () => Promise<void> } | null> {
  const admin = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `sa_bench_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
  } catch {
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const db = createPgDatabase({
    url: u.toString(),
    directUrl: null,
    poolMax: 4,
    statementTimeoutMs: 30_000,
    ssl: 'auto',
  });
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      const c2 = new pg.Client({ connectionString: admin });
      await c2.connect();
      await c2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c2.end();
    },
  };
}

export async function runDbResultFetchBench(): Promise<Record<string, unknown>> {
  const full = makeFullResult({ sections: 10, questionsPerSection: 10 });
  for (const s of full.sections)
    for (const a of s.answers)
      a.footnote = `${a.footnote ?? ''} ${'the contractor shall furnish all labor and materials '.repeat(85)}`;
  const legacy = toLegacyResult(full);
  const size = JSON.stringify(legacy).length;

  const backends: Array<{ name: string; db: Database; drop: () => Promise<void> }> = [];
  const lite = await createPgliteDatabase();
  await migrate(lite);
  backends.push({ name: 'pglite', db: lite, drop: () => lite.close() });
  const pgb = await postgresDb();
  if (pgb) backends.push({ name: 'postgres', ...pgb });

  const ids: Record<string, string> = {};
  for (const b of backends) {
    const s = await createSession(b.db, makeSessionInput());
    await storeResult(b.db, s.id, { result: full, legacy, status: 'completed', stats: {} });
    ids[b.name] = s.id;
  }
  const map = new Map<string, unknown>([['id', structuredClone(legacy)]]);

  const samples: Record<string, number[]> = { map: [] };
  for (const b of backends) {
    samples[b.name] = [];
    samples[`${b.name}_cached`] = [];
  }
  const caches: Record<string, VersionedCache<string>> = {};
  for (const b of backends) caches[b.name] = new VersionedCache<string>();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) {
      const t0 = performance.now();
      const text = JSON.stringify(map.get('id'));
      samples.map!.push(performance.now() - t0);
      if (text.length < size / 2) throw new Error('bad baseline');
    }
    for (const b of backends) {
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        const text = await selectLegacyResultText(b.db, ids[b.name]!);
        samples[b.name]!.push(performance.now() - t0);
        if (!text || text.length < size / 2) throw new Error('bad read');
      }
      // The app's read path: validate the version in the database, serve the ready-encoded bytes.
      const cache = caches[b.name]!;
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        const id = ids[b.name]!;
        const version = await selectSessionVersion(b.db, id);
        const text =
          version &&
          (await cache.get(id, version, async () => {
            const t = await selectLegacyResultText(b.db, id);
            return t ? { value: t, bytes: t.length } : null;
          }));
        samples[`${b.name}_cached`]!.push(performance.now() - t0);
        if (!text || text.length < size / 2) throw new Error('bad cached read');
      }
    }
  }
  for (const b of backends) await b.drop();

  const out: Record<string, unknown> = { bench: 'db-result-fetch', result_bytes: size, ...machineInfo() };
  const base = summarize(samples.map!);
  out.map_baseline = base;
  for (const name of backends.flatMap((b) => [b.name, `${b.name}_cached`])) {
    const s = summarize(samples[name]!);
    out[name] = {
      ...s,
      added_p99_ms: Math.round((s.p99_ms - base.p99_ms) * 1000) / 1000,
      throughput_ratio_vs_map: Math.round((s.ops_per_s / base.ops_per_s) * 1000) / 1000,
    };
  }
  if (!pgb) out.postgres = 'skipped: PostgreSQL not reachable';
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runDbResultFetchBench(), null, 2));
}
