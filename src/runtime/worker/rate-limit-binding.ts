import type { Config } from "../../gen/acme/config/v1/config_pb.ts";
import type { GateCheck } from "../../protocol/request-gate.ts";
import type { LimitOutcome, Limiter, LimiterFactory } from "../../ratelimit/limiter.ts";
import { createRateLimitCheck } from "../../ratelimit/rate-limit-check.ts";
import { writeLogLine } from "./console-loggers.ts";

/**
 * The period of the RATE_LIMITER binding ([[ratelimits]] simple.period in wrangler.toml):
 * the binding does not say when a key has room again, so a refused caller is told to
 * retry after one whole period. A test keeps the two in step.
 */
export const bindingPeriodSeconds = 60;

const allowed: LimitOutcome = { allowed: true };
const refused: LimitOutcome = { allowed: false, retryAfterSeconds: bindingPeriodSeconds };

/**
 * Limiters backed by the Workers Rate Limiting binding, whose limit is fixed in
 * wrangler.toml: the config's numbers do not apply, only which methods are limited. The
 * binding counts per Cloudflare location. If it fails, the call goes on (logged): an
 * outage of the limiter must not become an outage of the API.
 */
export function bindingLimiters(binding: RateLimit): LimiterFactory {
  const limiter: Limiter = (key) =>
    binding.limit({ key }).then(
      (outcome) => (outcome.success ? allowed : refused),
      (error: unknown) => {
        writeLogLine("error", { msg: `rate limit binding failed, call let through: ${(error as Error).message}` });
        return allowed;
      },
    );
  return () => limiter;
}

/**
 * The Worker's rate limit check: the binding counts, the config (`rate_limits.enabled`,
 * `exempt`) chooses what is limited, and anonymous callers are told apart by the
 * CF-Connecting-IP header Cloudflare sets. Without a binding, nothing is limited (logged).
 */
export function workerRateLimitChecks(binding: RateLimit | undefined, config: () => Config): GateCheck[] {
  if (!binding) {
    writeLogLine("error", { msg: "rate limits: no RATE_LIMITER binding ([[ratelimits]] in wrangler.toml), so no call is rate limited" });
    return [];
  }
  return [
    createRateLimitCheck({
      config,
      limiters: bindingLimiters(binding),
      clientAddress: (context) => context.requestHeader.get("cf-connecting-ip"),
    }),
  ];
}
