import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/runtime/worker/index.ts";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";
import { testAuth, workerOrigin } from "./worker-fetch.ts";

/** A ctx whose waitUntil work the test can wait for. */
function executionContext() {
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {} };
  return { ctx: ctx as unknown as ExecutionContext, settled: () => Promise.all(pending) };
}

/** The CONFIG binding with every read counted. */
function countingKv(kv: KVNamespace) {
  const counter = { reads: 0 };
  const wrapped = new Proxy(kv, {
    get(target, property) {
      if (property === "get") {
        return (...args: unknown[]) => {
          counter.reads++;
          return (target.get as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: wrapped, counter };
}

/** Calls the Worker (tracing off) with `vars` laid over the test bindings; a fresh env object is a fresh isolate state. */
function workerWith(vars: Partial<WorkerEnv>) {
  const testEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, ...vars } as WorkerEnv;
  return async (method: string, body: object, headers: Record<string, string> = {}) => {
    const { ctx, settled } = executionContext();
    const response = await worker.fetch(
      new Request(`${workerOrigin}/acme.user.v1.UserService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: testAuth.bearer, ...headers },
        body: JSON.stringify(body),
      }) as Parameters<typeof worker.fetch>[0],
      testEnv,
      ctx,
    );
    await settled();
    return response;
  };
}

const newUser = () => ({ email: `${crypto.randomUUID()}@example.com`, displayName: "K" });

describe("config from Workers KV", () => {
  it("should serve steady-state requests without reading KV", async () => {
    const { kv, counter } = countingKv(env.CONFIG);
    const call = workerWith({ CONFIG: kv });
    await call("ListUsers", {}); // cold start: one read
    expect(counter.reads).toBe(1);
    for (let i = 0; i < 20; i++) expect((await call("ListUsers", {})).status).toBe(200);
    expect(counter.reads).toBe(1);
  });

  it("should serve steady-state requests without reading KV when traced too", async () => {
    // otel-cf-workers hands the handler a new env proxy per request: the config store and
    // the app must still be built once (they were keyed by that proxy: a KV read per request).
    const { kv, counter } = countingKv(env.CONFIG);
    const call = workerWith({ CONFIG: kv, OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT });
    await call("ListUsers", {});
    expect(counter.reads).toBe(1);
    for (let i = 0; i < 5; i++) expect((await call("ListUsers", {})).status).toBe(200);
    expect(counter.reads).toBe(1);
  });

  it("should pick up a change after the refresh interval, without a restart", async () => {
    await env.CONFIG.delete("config");
    const { kv, counter } = countingKv(env.CONFIG);
    const call = workerWith({ CONFIG: kv, CONFIG_REFRESH_MS: "0" });
    expect((await call("CreateUser", newUser())).status).toBe(200);
    await env.CONFIG.put("config", JSON.stringify({ maintenance: { enabled: true, retryAfterSeconds: 9 } }));
    await call("ListUsers", {}); // served from the cache; refreshes in the background
    const response = await call("CreateUser", newUser());
    expect(response.status).toBe(503);
    expect(((await response.json()) as { message: string }).message).toContain("retry in 9 s");
    expect((await call("ListUsers", {})).status).toBe(200);
    expect(counter.reads).toBeGreaterThanOrEqual(2);
    await env.CONFIG.delete("config");
  });

  it("should ignore an invalid value written to KV and keep the last good config", async () => {
    await env.CONFIG.put(
      "config",
      JSON.stringify({ orders: { creationEnabled: true }, userListing: { maxPageSize: 3, defaultPageSize: 3 } }),
    );
    const call = workerWith({ CONFIG_REFRESH_MS: "0" });
    const pageSizeError = async () => ((await (await call("ListUsers", { pageSize: 4 })).json()) as { code?: string }).code;
    expect(await pageSizeError()).toBe("invalid_argument");
    const errors = vi.spyOn(console, "error");
    await env.CONFIG.put("config", JSON.stringify({ userListing: { maxPageSize: -1 } }));
    await call("ListUsers", {});
    expect(await pageSizeError()).toBe("invalid_argument"); // still max 3
    const line = errors.mock.calls.map((args) => String(args[0])).find((l) => l.includes("user_listing.max_page_size"));
    expect(JSON.parse(line ?? "{}")).toMatchObject({ level: "error", source: "kv:config" });
    errors.mockRestore();
    await env.CONFIG.delete("config");
  });

  it("should let Worker vars beat KV, and KV beat the defaults", async () => {
    await env.CONFIG.put("config", JSON.stringify({ maintenance: { enabled: true } }));
    expect((await workerWith({})("CreateUser", newUser())).status).toBe(503);
    expect((await workerWith({ CONFIG_MAINTENANCE_ENABLED: "false" } as Partial<WorkerEnv>)("CreateUser", newUser())).status).toBe(200);
    await env.CONFIG.delete("config");
    expect((await workerWith({})("CreateUser", newUser())).status).toBe(200);
  });

  it("should answer internal, naming no secret, when a CONFIG_* var is invalid", async () => {
    const errors = vi.spyOn(console, "error");
    const response = await workerWith({ CONFIG_MAINTENANCE_ENABLED: "yes" } as Partial<WorkerEnv>)("ListUsers", {});
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ code: "internal", message: "server configuration is invalid; see the Worker logs" });
    expect(errors.mock.calls.map((args) => String(args[0])).join("\n")).toContain("CONFIG_MAINTENANCE_ENABLED must be true or false");
    errors.mockRestore();
  });

  it("should grant CORS to configured origins only", async () => {
    await env.CONFIG.put("config", JSON.stringify({ cors: { allowedOrigins: ["https://app.example.com"] } }));
    const call = workerWith({});
    const allowed = await call("ListUsers", {}, { origin: "https://app.example.com" });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-expose-headers")).toContain("Grpc-Status-Details-Bin");
    const refused = await call("ListUsers", {}, { origin: "https://evil.example" });
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const testEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined } as WorkerEnv;
    const preflight = await worker.fetch(
      new Request(`${workerOrigin}/acme.user.v1.UserService/ListUsers`, {
        method: "OPTIONS",
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
      }) as Parameters<typeof worker.fetch>[0],
      testEnv,
      executionContext().ctx,
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    await env.CONFIG.delete("config");
  });
});
