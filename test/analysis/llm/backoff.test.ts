import { describe, expect, it } from 'vitest';
import { MAX_RETRY_WAIT_MS, computeRetryDelayMs, parseRetryAfterMs } from '../../../src/analysis/llm/backoff.js';

describe('retry backoff', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-26T05:00:00Z');
    expect(parseRetryAfterMs('2', now)).toBe(2_000);
    expect(parseRetryAfterMs('0.5', now)).toBe(500);
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 05:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 04:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs(null, now)).toBeNull();
  });

  it('waits at least what the server asked, capped at the maximum', () => {
    expect(computeRetryDelayMs(0, { retryAfterMs: 1_000, random: () => 0 })).toBe(1_000);
    expect(computeRetryDelayMs(0, { retryAfterMs: 1_000, random: () => 0.99 })).toBeLessThan(1_250);
    expect(computeRetryDelayMs(0, { retryAfterMs: 3_600_000, random: () => 0.5 })).toBe(MAX_RETRY_WAIT_MS);
  });

  it('grows exponentially with jitter when the server says nothing', () => {
    const low = [0, 1, 2, 3].map((a) => computeRetryDelayMs(a, { baseDelayMs: 500, random: () => 0 }));
    const high = [0, 1, 2, 3].map((a) => computeRetryDelayMs(a, { baseDelayMs: 500, random: () => 1 }));
    expect(low).toEqual([250, 500, 1_000, 2_000]);
    expect(high).toEqual([500, 1_000, 2_000, 4_000]);
    expect(computeRetryDelayMs(30, { baseDelayMs: 500, random: () => 1 })).toBe(MAX_RETRY_WAIT_MS);
  });
});
