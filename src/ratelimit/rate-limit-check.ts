// src/ratelimit/: per-caller, per-method rate limits: the request gate check (this file)
// and the limiter port each runtime fills in. docs/rate-limits.md.

import type { DescMethod } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext } from "@connectrpc/connect";
import { callerKey } from "../auth/caller.ts";
import { defaultConfig } from "../config/defaults.ts";
import type { Config, RateLimits } from "../gen/acme/config/v1/config_pb.ts";
import { rateLimited } from "../gen/acme/ratelimit/v1/errors_reasons.ts";
import { RetryInfoSchema } from "../gen/google/rpc/error_details_pb.ts";
import { clientAddressKey } from "../protocol/client-address.ts";
import type { GateCheck, Refusal } from "../protocol/request-gate.ts";
import { addressGroup } from "./address-group.ts";
import type { Limit, LimitOutcome, Limiter, LimiterFactory } from "./limiter.ts";

// Where a config leaves a number unset (the store always fills them from the defaults).
const defaults = defaultConfig().rateLimits ?? ({} as RateLimits);

/** How one method is limited under the current config; undefined: not at all. */
interface MethodRule {
  procedure: string;
  limit: Limit;
  limiter: Limiter;
}

/**
 * The request gate's rate limit (config `rate_limits`, docs/rate-limits.md): each caller
 * (the token's subject, else the client address) gets its own count per method. Runs
 * after authentication, before the body is read. `config` is the config store's current
 * snapshot (the call's own is pinned later, by the chain). When the limits change, the
 * limiters of changed limits are built anew; those of unchanged limits keep their counts.
 */
export function createRateLimitCheck(options: {
  config: () => Config;
  limiters: LimiterFactory;
  /** The client's address; default the context's clientAddressKey (Workers: the CF-Connecting-IP header). */
  clientAddress?: (context: HandlerContext) => string | null | undefined;
}): GateCheck {
  const { config, limiters } = options;
  const clientAddress = options.clientAddress ?? ((context: HandlerContext) => context.values.get(clientAddressKey));
  let settings: RateLimits | undefined;
  let byLimit = new Map<string, Limiter>();
  let byMethod = new Map<DescMethod, MethodRule | undefined>();

  const ruleOf = (method: DescMethod): MethodRule | undefined => {
    const current = config().rateLimits;
    if (current !== settings) {
      settings = current;
      byMethod = new Map();
      const kept = new Map<string, Limiter>();
      for (const limit of limitsOf(current)) {
        const limiter = byLimit.get(limitName(limit));
        if (limiter) kept.set(limitName(limit), limiter);
      }
      byLimit = kept;
    }
    if (byMethod.has(method)) return byMethod.get(method);
    const rule = current?.enabled ? methodRule(current, method) : undefined;
    if (rule) {
      const name = limitName(rule.limit);
      const limiter = byLimit.get(name) ?? limiters(rule.limit);
      byLimit.set(name, limiter);
      byMethod.set(method, { ...rule, limiter });
    } else {
      byMethod.set(method, undefined);
    }
    return byMethod.get(method);
  };

  return (context) => {
    const rule = ruleOf(context.method);
    if (!rule) return undefined;
    const subject = context.values.get(callerKey)?.subject;
    const address = subject === undefined ? clientAddress(context) : undefined;
    const caller = subject !== undefined ? `sub:${subject}` : `ip:${address ? addressGroup(address) : "unknown"}`;
    const outcome = rule.limiter(`${rule.procedure}|${caller}`);
    return outcome instanceof Promise ? outcome.then((o) => refusalOf(o, rule, caller)) : refusalOf(outcome, rule, caller);
  };
}

/** The limit that applies to `method`, or undefined when it is exempt. */
function methodRule(settings: RateLimits, method: DescMethod): { procedure: string; limit: Limit } | undefined {
  const service = method.parent.typeName;
  const procedure = `${service}/${method.name}`;
  if (settings.exempt.includes(procedure) || settings.exempt.includes(service)) return undefined;
  const own = settings.methods[procedure];
  return { procedure, limit: own ? { requests: own.requests, periodSeconds: own.periodSeconds } : defaultLimit(settings) };
}

/** Every limit the settings use: the default and each method's own. */
function limitsOf(settings: RateLimits | undefined): Limit[] {
  if (!settings?.enabled) return [];
  const own = Object.values(settings.methods).map((l) => ({ requests: l.requests, periodSeconds: l.periodSeconds }));
  return [...own, defaultLimit(settings)];
}

function defaultLimit(settings: RateLimits): Limit {
  return {
    requests: settings.requests ?? defaults.requests ?? 1,
    periodSeconds: settings.periodSeconds ?? defaults.periodSeconds ?? 1,
  };
}

function limitName(limit: Limit): string {
  return `${limit.requests}/${limit.periodSeconds}`;
}

function refusalOf(outcome: LimitOutcome, rule: MethodRule, caller: string): Refusal | undefined {
  if (outcome.allowed) return undefined;
  const seconds = outcome.retryAfterSeconds;
  const error = rateLimited({}, `rate limit exceeded for this method; retry in ${seconds} s`);
  error.metadata.set("retry-after", String(seconds));
  error.details.push({ desc: RetryInfoSchema, value: { retryDelay: durationFromMs(seconds * 1000) } });
  return {
    error,
    why: `rate limit exceeded: ${rule.limit.requests} calls per ${rule.limit.periodSeconds} s for ${caller}`,
  };
}
