import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/runtime/worker/index.ts";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";
import { type TestAuth, createTestAuth } from "../shared/test-auth.ts";
import { workerOrigin } from "./worker-fetch.ts";

// As test/node/cors-authorization.test.ts, in workerd: a cross-origin page's preflight must
// grant Authorization, and a refused call must still carry the CORS grant.
const app = "https://app.example.com";
let auth: TestAuth;
let testEnv: WorkerEnv;
beforeAll(async () => {
  auth = await createTestAuth();
  testEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, CONFIG_CORS_ALLOWED_ORIGINS: app, ...auth.vars } as WorkerEnv;
});

function fetchWorker(method: string, headers: Record<string, string>, body?: string) {
  const ctx = { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext;
  const request = new Request(`${workerOrigin}/acme.user.v1.UserService/ListUsers`, { method, headers, body });
  return worker.fetch(request as Parameters<typeof worker.fetch>[0], testEnv, ctx);
}
const preflight = (origin: string) =>
  fetchWorker("OPTIONS", { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" });
const call = (headers: Record<string, string>) => fetchWorker("POST", { origin: app, "content-type": "application/json", ...headers }, "{}");

describe("CORS with bearer tokens (Worker)", () => {
  it("should allow Authorization in the preflight of an allowed origin", async () => {
    const response = await preflight(app);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(app);
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").split(",").map((name) => name.trim().toLowerCase());
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type"]));
  });

  it("should refuse the preflight of another origin", async () => {
    const response = await preflight("https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-headers")).toBeNull();
  });

  it("should grant the call with a token, and the refusal of a call without one", async () => {
    const granted = await call({ authorization: auth.bearer });
    expect(granted.status).toBe(200);
    expect(granted.headers.get("access-control-allow-origin")).toBe(app);
    await granted.body?.cancel();
    const refused = await call({});
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(app);
    expect(await refused.json()).toMatchObject({ code: "unauthenticated" });
  });
});
