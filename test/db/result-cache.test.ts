import { describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/database.js';
import { createSession } from '../../src/db/queries/create-session.js';
import { appendEvent } from '../../src/db/queries/events.js';
import { SessionVersionReader, VersionedCache } from '../../src/db/result-cache.js';
import { selectSessionVersion, type SessionVersion } from '../../src/db/queries/session-versions.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { makeSessionInput } from '../helpers/factories.js';

/** A Queryable that counts queries and can hold a finished query's result until released. */
function instrument(db: Queryable) {
  let held: Promise<void> | null = null;
  let release = () => {};
  let onExecuted = () => {};
  const state = {
    queries: 0,
    failNext: false,
    hold() {
      held = new Promise<void>((r) => (release = r));
      return { executed: new Promise<void>((r) => (onExecuted = r)), release: () => release() };
    },
  };
  const q: Queryable = {
    exec: (sql) => db.exec(sql),
    query: (async (text: string, params?: readonly unknown[]) => {
      state.queries++;
      if (state.failNext) {
        state.failNext = false;
        throw new Error('connection lost');
      }
      const result = await db.query(text, params);
      if (held) {
        onExecuted();
        const wait = held;
        held = null;
        await wait;
      }
      return result;
    }) as Queryable['query'],
  };
  return { q, state };
}

describeEachDatabase('session version reader', ({ db }) => {
  it('answers concurrent checks for several sessions with one query', async () => {
    const a = await createSession(db(), makeSessionInput());
    const b = await createSession(db(), makeSessionInput());
    const { q, state } = instrument(db());
    const reader = new SessionVersionReader(q);
    const got = await Promise.all([a.id, b.id, 'unknownunknownunknown', a.id, b.id].map((id) => reader.read(id)));
    expect(state.queries).toBe(1);
    expect(got).toEqual([
      await selectSessionVersion(db(), a.id),
      await selectSessionVersion(db(), b.id),
      null,
      await selectSessionVersion(db(), a.id),
      await selectSessionVersion(db(), b.id),
    ]);
  });

  it('answers a check asked for during an in-flight query with a new query that sees earlier writes', async () => {
    const s = await createSession(db(), makeSessionInput());
    const { q, state } = instrument(db());
    const reader = new SessionVersionReader(q);
    const gate = state.hold();
    const first = reader.read(s.id);
    await gate.executed; // the first query has read the database; its answer is held back
    await appendEvent(db(), s.id, 'analysis_started'); // committed before the second check is asked for
    const second = reader.read(s.id);
    gate.release();
    const [v1, v2] = await Promise.all([first, second]);
    expect(state.queries).toBe(2);
    expect(v2).toEqual(await selectSessionVersion(db(), s.id));
    expect(v2?.version).not.toBe(v1?.version);
  });

  it('rejects every check waiting on a failed query and keeps working afterwards', async () => {
    const s = await createSession(db(), makeSessionInput());
    const { q, state } = instrument(db());
    const reader = new SessionVersionReader(q);
    state.failNext = true;
    const results = await Promise.allSettled([reader.read(s.id), reader.read(s.id)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await reader.read(s.id)).toEqual(await selectSessionVersion(db(), s.id));
  });
});

describe('versioned result cache', () => {
  const finished = (version: string): SessionVersion => ({ status: 'completed', version, ownerId: null });
  // Sizes between 500 and 2,499 bytes: under the per-entry cap (a quarter of the budget), several per budget.
  const bytesOf = (key: string) => 500 + ([...key].reduce((n, c) => n * 31 + c.charCodeAt(0), 7) % 2_000);
  /** A loader that answers after a few ms (so concurrent misses overlap), counting its calls. */
  function countingLoader() {
    const counted = { loads: 0 };
    const load = (key: string, version: string) => async () => {
      counted.loads += 1;
      await new Promise((resolve) => setTimeout(resolve, counted.loads % 4));
      return { value: `${key}@${version}`, bytes: bytesOf(key) };
    };
    return { counted, load };
  }
  const expectExactAccounting = (cache: VersionedCache<string>, maxBytes: number) => {
    const held = cache.heldBytes();
    const sum = [...held.values()].reduce((a, b) => a + b, 0);
    expect(cache.bytes).toBe(sum);
    expect(sum).toBeLessThanOrEqual(maxBytes);
    for (const [key, bytes] of held) expect(bytes).toBe(bytesOf(key));
  };

  it('keeps its byte budget exact through many concurrent misses and evictions, and still stores new entries', async () => {
    const maxBytes = 10_000;
    const cache = new VersionedCache<string>(maxBytes);
    const { counted, load } = countingLoader();
    const SESSIONS = 40;
    const READS_PER_SESSION = 25;
    // Each wave re-versions every session (a stop request re-stamps a finished row), so every held entry is
    // replaced, and the 40 sessions (~60 KB) overflow the 10 KB budget, so most are evicted as they arrive.
    for (const wave of ['v1', 'v2', 'v3']) {
      const before = counted.loads;
      const reads: Array<Promise<string | null>> = [];
      const expected: string[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        for (let j = 0; j < READS_PER_SESSION; j++) {
          reads.push(cache.get(`s${i}`, finished(wave), load(`s${i}`, wave)));
          expected.push(`s${i}@${wave}`);
        }
      }
      expect(await Promise.all(reads)).toEqual(expected);
      expect(counted.loads - before).toBe(SESSIONS); // concurrent misses for one session share one load
      expectExactAccounting(cache, maxBytes);
      expect(cache.size).toBeGreaterThan(0);
    }
    const loadsBefore = counted.loads;
    expect(await cache.get('fresh', finished('v1'), load('fresh', 'v1'))).toBe('fresh@v1');
    expect(await cache.get('fresh', finished('v1'), load('fresh', 'v1'))).toBe('fresh@v1');
    expect(counted.loads - loadsBefore).toBe(1); // the second read is served from memory: the cache still stores
    expect(cache.heldBytes().get('fresh')).toBe(bytesOf('fresh'));
    expectExactAccounting(cache, maxBytes);
  });

  it('keeps nothing for unfinished sessions, forgets a failed load, and lets a newer version win over an older load', async () => {
    const cache = new VersionedCache<string>(10_000);
    const { counted, load } = countingLoader();
    const running: SessionVersion = { status: 'active', version: 'r1', ownerId: null };
    expect(
      await Promise.all([cache.get('a', running, load('a', 'r1')), cache.get('a', running, load('a', 'r1'))]),
    ).toEqual(['a@r1', 'a@r1']);
    expect(counted.loads).toBe(1);
    expect(cache.size).toBe(0);

    const failing = () => Promise.reject(new Error('database gone'));
    const failed = await Promise.allSettled([
      cache.get('b', finished('v1'), failing),
      cache.get('b', finished('v1'), failing),
    ]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await cache.get('b', finished('v1'), load('b', 'v1'))).toBe('b@v1');

    let releaseOld = () => {};
    const old = cache.get('c', finished('v1'), async () => {
      await new Promise<void>((resolve) => (releaseOld = resolve));
      return { value: 'c@v1', bytes: bytesOf('c') };
    });
    expect(await cache.get('c', finished('v2'), load('c', 'v2'))).toBe('c@v2');
    releaseOld();
    expect(await old).toBe('c@v1');
    const loads = counted.loads;
    expect(await cache.get('c', finished('v2'), load('c', 'v2'))).toBe('c@v2');
    expect(counted.loads).toBe(loads); // the older load finishing last did not replace the newer entry
    expectExactAccounting(cache, 10_000);
  });
});
