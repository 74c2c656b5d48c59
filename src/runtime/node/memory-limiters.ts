// The package's index loads all of its ~30 stores (~15 ms of start-up); this is the one used.
import RateLimiterMemory from "rate-limiter-flexible/lib/RateLimiterMemory.js";
import type { LimitOutcome, LimiterFactory } from "../../ratelimit/limiter.ts";

const allowed: LimitOutcome = { allowed: true };

/**
 * Limiters counting in this process's memory (rate-limiter-flexible's fixed window per
 * key): right for one Node process. Replicas each count on their own, so a caller gets up
 * to `requests` per replica; a shared store fixes that (docs/rate-limits.md).
 */
export const memoryLimiters: LimiterFactory = (limit) => {
  const limiter = new RateLimiterMemory({ points: limit.requests, duration: limit.periodSeconds });
  return (key) =>
    limiter.consume(key).then(
      () => allowed,
      (refused: unknown) => {
        // Over the limit, consume() rejects with a RateLimiterRes; anything else is a fault.
        if (refused instanceof Error) throw refused;
        const msBeforeNext = (refused as { msBeforeNext: number }).msBeforeNext;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
      },
    );
};
