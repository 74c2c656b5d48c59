// Rate limits shared by every instance on DATABASE_URL (docs/rate-limits.md). The package's
// index loads all of its stores; this is the one used.
import pg from "pg";
import RateLimiterPostgres from "rate-limiter-flexible/lib/RateLimiterPostgres.js";
import type { LimitOutcome, LimiterFactory } from "../../ratelimit/limiter.ts";

const allowed: LimitOutcome = { allowed: true };

/** At most one log line per this many milliseconds while the store fails. */
const logEveryMs = 10_000;

/**
 * Limiters counting in PostgreSQL's `rate_limits` table (migrations-postgres/0004), one
 * upsert per call: a caller's budget is the same through every instance. Each limit counts
 * under a key prefix of its own, so a changed limit starts new counts, as in memory.
 *
 * A store failure lets the call through (fails open) and is logged: the limiter protects
 * the service, and must not become a second way for a database hiccup to refuse calls that
 * would succeed (health, reflection, calls the database answers again by then).
 */
export function openPostgresLimiters(url: string, log: (message: string) => void): { limiters: LimiterFactory; close(): Promise<void> } {
  // A pool of its own, small and quick to give up: counting never waits behind the
  // stores' queries, and a store that hangs delays a call by a second at most.
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 1000, query_timeout: 1000 });
  pool.on("error", () => {}); // an idle connection lost: the pool replaces it
  pool.on("connect", (client) => client.on("error", () => {})); // one lost while checked out, likewise
  return { limiters: postgresLimiters(pool, log), close: () => pool.end() };
}

function postgresLimiters(pool: pg.Pool, log: (message: string) => void): LimiterFactory {
  let lastLog = Number.NEGATIVE_INFINITY;
  let first = true;
  return (limit) => {
    const limiter = new RateLimiterPostgres({
      storeClient: pool,
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: `${limit.requests}/${limit.periodSeconds}`,
      points: limit.requests,
      duration: limit.periodSeconds,
      // Deleting rows expired an hour ago (every 5 minutes, the whole table): one timer per process.
      clearExpiredByTimeout: first,
    });
    first = false;
    return (key) =>
      limiter.consume(key).then(
        () => allowed,
        (refused: unknown) => {
          // Over the limit, consume() rejects with a RateLimiterRes; an Error is the store failing.
          if (refused instanceof Error) {
            const now = Date.now();
            if (now - lastLog >= logEveryMs) {
              lastLog = now;
              log(`rate limit store failed, letting calls through: ${refused.message}`);
            }
            return allowed;
          }
          const msBeforeNext = (refused as { msBeforeNext: number }).msBeforeNext;
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
        },
      );
  };
}
