-- The rate limiter's counters, shared by every instance on this database
-- (src/runtime/node/postgres-limiters.ts: rate-limiter-flexible's RateLimiterPostgres
-- layout). Created here rather than by the library, whose CREATE TABLE IF NOT EXISTS can
-- fail when two instances start at once. TEXT keys: method and caller can exceed 255.
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire BIGINT
);
