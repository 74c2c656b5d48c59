import { fromBinary } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import worker from "../../src/runtime/worker/index.ts";
import wranglerToml from "../../wrangler.toml?raw";
import { bindingPeriodSeconds } from "../../src/runtime/worker/rate-limit-binding.ts";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";
import { anonymousFetch, testAuth, workerFetch, workerOrigin } from "./worker-fetch.ts";

const listUsers = "acme.user.v1.UserService/ListUsers";
const healthCheck = "grpc.health.v1.Health/Check";

/**
 * Uses up `key` on the RATE_LIMITER binding (the limit in wrangler.toml), as that many
 * calls would. Its windows are aligned to the clock: `then` runs right after, and runs
 * again once if a window ended in between (it cannot end twice within milliseconds).
 */
async function overLimit<T>(key: string, then: () => Promise<T>, refused: (result: T) => boolean): Promise<T> {
  let result: T | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    while ((await env.RATE_LIMITER!.limit({ key })).success);
    result = await then();
    if (refused(result)) return result;
  }
  return result!;
}

const post = (procedure: string, headers: Record<string, string>, fetcher = workerFetch) =>
  fetcher(`${workerOrigin}/${procedure}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });

async function expectRateLimited(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(String(bindingPeriodSeconds));
  const body = (await response.json()) as { code: string; message: string; details: { type: string; value: string }[] };
  expect(body).toMatchObject({
    code: "resource_exhausted",
    message: `rate limit exceeded for this method; retry in ${bindingPeriodSeconds} s`,
  });
  const retryInfo = body.details.find((d) => d.type === "google.rpc.RetryInfo");
  expect(Number(fromBinary(RetryInfoSchema, base64Decode(retryInfo!.value)).retryDelay?.seconds)).toBe(bindingPeriodSeconds);
  expect(body.details.map((d) => d.type)).toContain("google.rpc.ErrorInfo");
}

/** Calls the Worker's handler with `vars` (bindings, CONFIG_* overrides) laid over the test bindings (a fresh env object: fresh config and app). */
async function callWith(
  vars: Partial<WorkerEnv> & Record<`CONFIG_${string}`, string>,
  procedure: string,
  headers: Record<string, string>,
): Promise<Response> {
  const ctx = { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext;
  const request = new Request(`${workerOrigin}/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: "{}",
  });
  return worker.fetch(
    request as Parameters<typeof worker.fetch>[0],
    { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, ...vars } as WorkerEnv,
    ctx,
  );
}

describe("rate limits on Workers (the RATE_LIMITER binding)", () => {
  it("should tell refused callers the binding's own period", () => {
    const binding = /\[\[ratelimits\]\]\s*name = "RATE_LIMITER"[^[]*simple = \{ limit = \d+, period = (\d+) \}/.exec(wranglerToml);
    expect(Number(binding?.[1])).toBe(bindingPeriodSeconds);
  });

  it("should refuse a subject over the binding's limit on one method, not on others, nor other subjects", { timeout: 30_000 }, async () => {
    const sub = `rl-${crypto.randomUUID()}`;
    const auth = { authorization: `Bearer ${await testAuth.mint({ sub })}` };
    await expectRateLimited(
      await overLimit(
        `${listUsers}|sub:${sub}`,
        () => post(listUsers, auth),
        (r) => r.status === 429,
      ),
    );
    expect((await post("acme.user.v1.UserService/GetUser", auth)).status).toBe(400); // let through: no id, invalid_argument
    expect((await post(listUsers, { authorization: `Bearer ${await testAuth.mint({ sub: `${sub}-2` })}` })).status).toBe(200);
  });

  it("should count anonymous callers by CF-Connecting-IP", { timeout: 30_000 }, async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const check = (from: string) => post(healthCheck, { "cf-connecting-ip": from }, anonymousFetch);
    await expectRateLimited(
      await overLimit(
        `${healthCheck}|ip:${ip}`,
        () => check(ip),
        (r) => r.status === 429,
      ),
    );
    expect((await check("2001:db8::1")).status).toBe(200);
  });

  it("should let the config switch limits off, exempt a method, and serve without a binding", { timeout: 30_000 }, async () => {
    const sub = `rl-${crypto.randomUUID()}`;
    const auth = { authorization: `Bearer ${await testAuth.mint({ sub })}` };
    const errors = vi.spyOn(console, "error");
    const outcomes = await overLimit(
      `${listUsers}|sub:${sub}`,
      async () => ({
        on: (await callWith({}, listUsers, auth)).status,
        off: (await callWith({ CONFIG_RATE_LIMITS_ENABLED: "false" }, listUsers, auth)).status,
        exempt: (await callWith({ CONFIG_RATE_LIMITS_EXEMPT: "acme.user.v1.UserService" }, listUsers, auth)).status,
        unbound: (await callWith({ RATE_LIMITER: undefined }, listUsers, auth)).status,
        // Still refused: the window did not end while the others were answered.
        stillOn: (await callWith({}, listUsers, auth)).status,
      }),
      (o) => o.on === 429 && o.stillOn === 429,
    );
    expect(outcomes).toEqual({ on: 429, off: 200, exempt: 200, unbound: 200, stillOn: 429 });
    expect(errors.mock.calls.flat().join("\n")).toContain("no RATE_LIMITER binding");
    errors.mockRestore();
  });
});
