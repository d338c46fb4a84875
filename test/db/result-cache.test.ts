import { expect, it } from 'vitest';
import type { Queryable } from '../../src/db/database.js';
import { SessionStore } from '../../src/db/session-store.js';
import { SessionVersionReader, selectSessionVersion } from '../../src/db/result-cache.js';
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
    const store = new SessionStore(db());
    const a = await store.createSession(makeSessionInput());
    const b = await store.createSession(makeSessionInput());
    const { q, state } = instrument(db());
    const reader = new SessionVersionReader(q);
    const got = await Promise.all([a.id, b.id, 'unknownunknownunknown', a.id, b.id].map((id) => reader.read(id)));
    expect(state.queries).toBe(1);
    expect(got).toEqual([await selectSessionVersion(db(), a.id), await selectSessionVersion(db(), b.id), null, await selectSessionVersion(db(), a.id), await selectSessionVersion(db(), b.id)]);
  });

  it('answers a check asked for during an in-flight query with a new query that sees earlier writes', async () => {
    const store = new SessionStore(db());
    const s = await store.createSession(makeSessionInput());
    const { q, state } = instrument(db());
    const reader = new SessionVersionReader(q);
    const gate = state.hold();
    const first = reader.read(s.id);
    await gate.executed; // the first query has read the database; its answer is held back
    await store.appendEvent(s.id, 'analysis_started'); // committed before the second check is asked for
    const second = reader.read(s.id);
    gate.release();
    const [v1, v2] = await Promise.all([first, second]);
    expect(state.queries).toBe(2);
    expect(v2).toEqual(await selectSessionVersion(db(), s.id));
    expect(v2?.version).not.toBe(v1?.version);
  });

  it('rejects every check waiting on a failed query and keeps working afterwards', async () => {
    const store = new SessionStore(db());
    const s = await store.createSession(makeSessionInput());
    const { q, state } = instrument(db());
    const reader = new SessionVersionReader(q);
    state.failNext = true;
    const results = await Promise.allSettled([reader.read(s.id), reader.read(s.id)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await reader.read(s.id)).toEqual(await selectSessionVersion(db(), s.id));
  });
});
