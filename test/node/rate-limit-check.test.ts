import { type DescMethod, type MessageInitShape, create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, createHandlerContext } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { callerKey } from "../../src/auth/caller.ts";
import { type Config, ConfigSchema, type RateLimitsSchema } from "../../src/gen/acme/config/v1/config_pb.ts";
import { isRateLimited } from "../../src/gen/acme/ratelimit/v1/errors_reasons.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { clientContextValues } from "../../src/protocol/client-address.ts";
import type { Refusal } from "../../src/protocol/request-gate.ts";
import type { Limit, LimiterFactory } from "../../src/ratelimit/limiter.ts";
import { addressGroup } from "../../src/ratelimit/address-group.ts";
import { createRateLimitCheck } from "../../src/ratelimit/rate-limit-check.ts";
import { memoryLimiters } from "../../src/runtime/node/memory-limiters.ts";

const getUser = UserService.method.getUser;
const createUser = UserService.method.createUser;

function context(method: DescMethod, caller: { subject?: string; address?: string }): HandlerContext {
  const ctx = createHandlerContext({
    service: method.parent,
    method,
    protocolName: "connect",
    requestMethod: "POST",
    url: `http://127.0.0.1/${method.parent.typeName}/${method.name}`,
    contextValues: clientContextValues(caller.address),
  });
  if (caller.subject !== undefined) ctx.values.set(callerKey, { subject: caller.subject, scopes: new Set<string>() });
  return ctx;
}

function configOf(rateLimits: MessageInitShape<typeof RateLimitsSchema>): Config {
  return create(ConfigSchema, { rateLimits: { enabled: true, requests: 2, periodSeconds: 60, ...rateLimits } });
}

/** A check over real memory limiters, reading `holder.config`; `built` lists each limit a limiter was built for. */
function checkFor(config: Config) {
  const holder = { config, built: [] as Limit[] };
  const limiters: LimiterFactory = (limit) => {
    holder.built.push(limit);
    return memoryLimiters(limit);
  };
  const check = createRateLimitCheck({ config: () => holder.config, limiters });
  return { holder, call: async (method: DescMethod, caller: { subject?: string; address?: string }) => check(context(method, caller)) };
}

function expectRefusal(refusal: Refusal | undefined, seconds: number): void {
  expect(refusal).toBeDefined();
  const error = refusal!.error;
  expect(error).toBeInstanceOf(ConnectError);
  expect(error.code).toBe(Code.ResourceExhausted);
  expect(isRateLimited(error)).toBe(true);
  expect(error.rawMessage).toBe(`rate limit exceeded for this method; retry in ${seconds} s`);
  expect(error.metadata.get("retry-after")).toBe(String(seconds));
  expect(Number(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(seconds);
}

describe("addressGroup", () => {
  it("should keep IPv4 addresses whole and group IPv6 addresses by /64", () => {
    expect(addressGroup("203.0.113.7")).toBe("203.0.113.7");
    expect(addressGroup("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressGroup("2001:0db8:0001:0002:0003:0004:0005:0006")).toBe("2001:db8:1:2::/64");
    expect(addressGroup("2001:db8:1:2::9")).toBe("2001:db8:1:2::/64");
    expect(addressGroup("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressGroup("::1")).toBe("0:0:0:0::/64");
    expect(addressGroup("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});

describe("createRateLimitCheck", () => {
  it("should refuse a caller over its limit with resource_exhausted, RetryInfo and retry-after", async () => {
    const { call } = checkFor(configOf({ requests: 2, periodSeconds: 30 }));
    expect(await call(getUser, { subject: "ada" })).toBeUndefined();
    expect(await call(getUser, { subject: "ada" })).toBeUndefined();
    const refusal = await call(getUser, { subject: "ada" });
    expectRefusal(refusal, 30);
    expect(refusal!.why).toBe("rate limit exceeded: 2 calls per 30 s for sub:ada");
  });

  it("should count each subject, each anonymous address and each method on its own", async () => {
    const { call } = checkFor(configOf({ requests: 1 }));
    expect(await call(getUser, { subject: "ada", address: "10.0.0.1" })).toBeUndefined();
    expectRefusal(await call(getUser, { subject: "ada", address: "10.0.0.2" }), 60); // the subject counts, not the address
    expect(await call(getUser, { subject: "bob", address: "10.0.0.1" })).toBeUndefined();
    expect(await call(createUser, { subject: "ada" })).toBeUndefined();
    expect(await call(getUser, { address: "10.0.0.1" })).toBeUndefined(); // anonymous: by address
    expectRefusal(await call(getUser, { address: "10.0.0.1" }), 60);
    expect(await call(getUser, { address: "10.0.0.2" })).toBeUndefined();
    // A subject that looks like an address is not that address.
    expect(await call(getUser, { subject: "10.0.0.2" })).toBeUndefined();
    // IPv6: one count per /64; IPv4-mapped addresses count as the IPv4 address.
    expect(await call(getUser, { address: "2001:db8:1:2::1" })).toBeUndefined();
    expectRefusal(await call(getUser, { address: "2001:db8:1:2:ffff:ffff:ffff:ffff" }), 60);
    expect(await call(getUser, { address: "2001:db8:1:3::1" })).toBeUndefined();
    expectRefusal(await call(getUser, { address: "::ffff:10.0.0.2" }), 60);
  });

  it("should apply a method's own limit over the default", async () => {
    const { call } = checkFor(
      configOf({ requests: 1, methods: { "acme.user.v1.UserService/GetUser": { requests: 3, periodSeconds: 10 } } }),
    );
    for (let i = 0; i < 3; i++) expect(await call(getUser, { subject: "ada" })).toBeUndefined();
    expectRefusal(await call(getUser, { subject: "ada" }), 10);
    expect(await call(createUser, { subject: "ada" })).toBeUndefined();
    expectRefusal(await call(createUser, { subject: "ada" }), 60);
  });

  it("should never limit an exempt method or service, nor anything when disabled", async () => {
    const { call } = checkFor(configOf({ requests: 1, exempt: ["acme.user.v1.UserService/GetUser", "grpc.health.v1.Health"] }));
    for (let i = 0; i < 5; i++) {
      expect(await call(getUser, { subject: "ada" })).toBeUndefined();
      expect(await call(Health.method.check, { address: "10.0.0.1" })).toBeUndefined();
    }
    expect(await call(createUser, { subject: "ada" })).toBeUndefined();
    expectRefusal(await call(createUser, { subject: "ada" }), 60);

    const off = checkFor(configOf({ enabled: false, requests: 1 }));
    for (let i = 0; i < 5; i++) expect(await off.call(getUser, { subject: "ada" })).toBeUndefined();
    expect(off.holder.built).toEqual([]);
  });

  it("should follow config changes: new limits start new counts, unchanged limits keep theirs", async () => {
    const { call, holder } = checkFor(configOf({ requests: 2 }));
    await call(getUser, { subject: "ada" });
    await call(getUser, { subject: "ada" });
    expectRefusal(await call(getUser, { subject: "ada" }), 60);

    // Another change (an exemption of another method) leaves the limit and its count as they were.
    holder.config = configOf({ requests: 2, exempt: ["acme.user.v1.UserService/DeleteUser"] });
    expectRefusal(await call(getUser, { subject: "ada" }), 60);
    expect(holder.built).toEqual([{ requests: 2, periodSeconds: 60 }]);

    holder.config = configOf({ requests: 3 });
    for (let i = 0; i < 3; i++) expect(await call(getUser, { subject: "ada" })).toBeUndefined();
    expectRefusal(await call(getUser, { subject: "ada" }), 60);

    holder.config = configOf({ enabled: false, requests: 3 });
    expect(await call(getUser, { subject: "ada" })).toBeUndefined();
    // Back on with the old limit: a new limiter, so a fresh count.
    holder.config = configOf({ requests: 2 });
    expect(await call(getUser, { subject: "ada" })).toBeUndefined();
    expect(holder.built).toEqual([
      { requests: 2, periodSeconds: 60 },
      { requests: 3, periodSeconds: 60 },
      { requests: 2, periodSeconds: 60 },
    ]);
  });

  it("should let a caller in again once the period is over", async () => {
    const { call } = checkFor(configOf({ requests: 1, periodSeconds: 1 }));
    expect(await call(getUser, { subject: "ada" })).toBeUndefined();
    expectRefusal(await call(getUser, { subject: "ada" }), 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await call(getUser, { subject: "ada" })).toBeUndefined();
  });
});
