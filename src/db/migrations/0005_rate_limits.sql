-- Why: rate limits (sign-in attempts, analysis starts) were counted in each process's memory, so running
-- WEB_CONCURRENCY=4 workers quadrupled them, and a recycled worker forgot them. One row per bucket (a limit
-- and a caller, e.g. "sign-in attempts from this address") holds a fixed-window counter that every process
-- increments with one atomic upsert. Emails never appear in bucket names, only a hash of them.
-- A plain (logged) table: UNLOGGED would skip the commit fsync (measured ~8 ms -> ~0.5 ms per hit on a busy
-- local PostgreSQL) but is emptied by any crash and less proven on Neon; hits happen only on rate-limited
-- requests (sign-in, analysis starts), which cost far more than that.

CREATE TABLE rate_limits (
    bucket              TEXT PRIMARY KEY,
    hits                INTEGER NOT NULL,
    window_ends_at_ms   BIGINT NOT NULL            -- epoch milliseconds (the app's clock, injectable in tests)
);
-- Expired buckets are deleted now and then by whoever counts (src/auth/rate-limit-counters.ts).
CREATE INDEX rate_limits_window_ends_idx ON rate_limits (window_ends_at_ms);
