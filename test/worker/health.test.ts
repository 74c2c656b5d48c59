import { env } from "cloudflare:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { describe, expect, it } from "vitest";
import { storedConfigKey } from "../../src/config/config-source.ts";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../src/gen/grpc/health/v1/health_pb.ts";
import worker from "../../src/runtime/worker/index.ts";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";
import { workerFetch, workerOrigin } from "./worker-fetch.ts";

/** A Health client on the Worker with `vars` laid over the test bindings (a fresh env object is a fresh isolate state). */
function healthWith(vars: Partial<WorkerEnv>) {
  const testEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, ...vars } as WorkerEnv;
  const ctx = { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext;
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
    worker.fetch(
      new Request(input, { ...init, redirect: "manual" }) as Parameters<typeof worker.fetch>[0],
      testEnv,
      ctx,
    )) as typeof globalThis.fetch;
  return createClient(Health, createConnectTransport({ baseUrl: workerOrigin, fetch }));
}

describe("GET /healthz on the Worker", () => {
  it("should answer 200 ok to GET and HEAD, whatever the config", async () => {
    const get = await workerFetch(`${workerOrigin}/healthz`);
    expect(get.status).toBe(200);
    expect(get.headers.get("cache-control")).toBe("no-store");
    expect(await get.text()).toBe("ok\n");
    expect((await workerFetch(`${workerOrigin}/healthz?probe=1`, { method: "HEAD" })).status).toBe(200);
  });

  it("should answer 405 with Allow to other methods", async () => {
    const response = await workerFetch(`${workerOrigin}/healthz`, { method: "POST", body: "x" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("grpc.health.v1 readiness on the Worker", () => {
  it("should be NOT_SERVING while the KV config is rejected, and SERVING once a valid one is stored", async () => {
    await env.CONFIG.put(storedConfigKey, "{ not json");
    try {
      expect((await healthWith({}).check({ service: "" })).status).toBe(Status.NOT_SERVING);
      await env.CONFIG.put(storedConfigKey, JSON.stringify({ maintenance: { enabled: false } }));
      expect((await healthWith({}).check({ service: "" })).status).toBe(Status.SERVING);
    } finally {
      await env.CONFIG.delete(storedConfigKey);
    }
  });

  it("should be NOT_SERVING when D1 does not answer", async () => {
    const broken = {
      prepare: () => {
        throw new Error("D1 is down");
      },
    } as unknown as D1Database;
    expect((await healthWith({ DB: broken }).check({ service: "" })).status).toBe(Status.NOT_SERVING);
  });

  it("should keep answering health in maintenance mode (it changes nothing)", async () => {
    const client = healthWith({ CONFIG_MAINTENANCE_ENABLED: "true" } as Partial<WorkerEnv>);
    expect((await client.check({ service: "" })).status).toBe(Status.SERVING);
  });
});
