/**
 * The rate limiter's store port: counters per key, one limiter per limit. The memory
 * store (memory-limiters.ts) serves one Node process; a shared store (PostgreSQL, Redis)
 * or the Workers binding fills the same shape.
 */

/** An allowance: `requests` calls per `periodSeconds`. */
export interface Limit {
  requests: number;
  periodSeconds: number;
}

/** Whether one more call fits under a key's limit; if not, how long until one does. */
export type LimitOutcome = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts one call under `key`. Synchronous where the store can be. */
export type Limiter = (key: string) => LimitOutcome | Promise<LimitOutcome>;

/** Builds the limiter of one limit; called again only when that limit changes. */
export type LimiterFactory = (limit: Limit) => Limiter;
