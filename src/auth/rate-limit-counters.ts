/**
 * Rate-limit counters shared by every process: fixed windows counted in the database (one atomic upsert per
 * hit), so WEB_CONCURRENCY=N workers enforce one limit, not N, and a recycled worker forgets nothing. Also a
 * store for @fastify/rate-limit, so per-route `config.rateLimit` limits are shared the same way.
 *
 * The clock is injectable: tests move time forward instead of sleeping through a window.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Database } from '../db/database.js';
import {
  deleteExpiredRateCounters,
  deleteRateCounter,
  incrementRateCounter,
  readRateCounter,
  type RateCounter,
} from '../db/queries/rate-limits.js';

export type Clock = () => number;

// Expired buckets are deleted by whoever counts, at most this often per process: no timer to start or stop,
// and the table stays as small as the number of callers seen in the last windows (a few rows per address).
const PRUNE_INTERVAL_MS = 10 * 60_000;

export class RateLimitCounters {
  private lastPruneMs: number;

  constructor(
    private readonly db: Database,
    readonly clock: Clock = Date.now,
  ) {
    this.lastPruneMs = clock();
  }

  /** Count one hit in `bucket` (a window of `windowMs` starts with the first hit) and return the count so far. */
  async hit(bucket: string, windowMs: number): Promise<RateCounter> {
    const now = this.clock();
    if (now - this.lastPruneMs >= PRUNE_INTERVAL_MS) {
      this.lastPruneMs = now;
      await deleteExpiredRateCounters(this.db, now);
    }
    return incrementRateCounter(this.db, bucket, now, windowMs);
  }

  read(bucket: string): Promise<RateCounter> {
    return readRateCounter(this.db, bucket, this.clock());
  }

  reset(bucket: string): Promise<void> {
    return deleteRateCounter(this.db, bucket);
  }

  /** Milliseconds until a counter's window ends (0 when it has). */
  remainingMs(counter: RateCounter): number {
    return Math.max(0, counter.windowEndsAtMs - this.clock());
  }
}

type StoreCallback = (err: Error | null, result?: { current: number; ttl: number }) => void;
// What the plugin hands child(): its typings say route options, at run time it is the route's merged limit
// settings with the route options under `routeInfo`. Read both.
type RouteLimitParams = {
  routeInfo?: { method?: string | string[]; url?: string };
  method?: string | string[];
  url?: string;
};

/**
 * A @fastify/rate-limit `store` class counting in `counters`. The plugin makes one child per route; each child
 * prefixes its keys with the route, so two routes' limits never share a count (as with the built-in store).
 */
export function rateLimitStoreFor(counters: RateLimitCounters): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly namespace = 'route:*',
    ) {}

    incr(key: string, cb: StoreCallback, timeWindowMs: number): void {
      counters.hit(`${this.namespace}:${key}`, timeWindowMs).then(
        (c) => cb(null, { current: c.hits, ttl: counters.remainingMs(c) }),
        (err: Error) => cb(err),
      );
    }

    read(key: string, cb: StoreCallback): void {
      counters.read(`${this.namespace}:${key}`).then(
        (c) => cb(null, { current: c.hits, ttl: counters.remainingMs(c) }),
        (err: Error) => cb(err),
      );
    }

    child(routeOptions: unknown): FastifyRateLimitStore {
      const params = routeOptions as RouteLimitParams;
      const route = params.routeInfo ?? params;
      const method = [route.method ?? '*'].flat().join(',');
      return new DatabaseRateLimitStore(routeOptions, `route:${method} ${route.url ?? '*'}`);
    }
  }
  return DatabaseRateLimitStore;
}
