/** The shared rate-limit counters on both backends: atomic under concurrency, fixed windows, expired rows pruned. */
import { expect, it } from 'vitest';
import { RateLimitCounters } from '../../src/auth/rate-limit-counters.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('rate-limit counters', ({ db }) => {
  let nowMs = Date.parse('2026-03-01T12:00:00Z');
  const clock = () => nowMs;

  it('gives concurrent hits distinct counts (one atomic upsert each)', async () => {
    const counters = new RateLimitCounters(db(), clock);
    const counts = await Promise.all(Array.from({ length: 40 }, () => counters.hit('concurrent', 60_000)));
    expect(counts.map((c) => c.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(counts.map((c) => c.windowEndsAtMs))).toEqual(new Set([nowMs + 60_000]));
  });

  it('starts a new window once the last one has ended, and reads without counting', async () => {
    const counters = new RateLimitCounters(db(), clock);
    await counters.hit('window', 1_000);
    expect((await counters.hit('window', 1_000)).hits).toBe(2);
    expect((await counters.read('window')).hits).toBe(2);
    nowMs += 1_000;
    expect((await counters.read('window')).hits).toBe(0);
    expect(await counters.hit('window', 1_000)).toEqual({ hits: 1, windowEndsAtMs: nowMs + 1_000 });
    await counters.reset('window');
    expect((await counters.read('window')).hits).toBe(0);
  });

  it('deletes expired buckets now and then, keeping live ones', async () => {
    const counters = new RateLimitCounters(db(), clock);
    await counters.hit('short-lived', 1_000);
    await counters.hit('long-lived', 60 * 60_000);
    nowMs += 11 * 60_000; // past the prune interval (10 min) and the short window
    await counters.hit('trigger', 1_000);
    const rows = await db().query<{ bucket: string }>(
      "SELECT bucket FROM rate_limits WHERE bucket IN ('short-lived', 'long-lived', 'trigger') ORDER BY bucket",
    );
    expect(rows.rows.map((r) => r.bucket)).toEqual(['long-lived', 'trigger']);
  });
});
