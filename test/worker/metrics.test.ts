import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { testAuth, workerFetch, workerOrigin } from "./worker-fetch.ts";

/**
 * A stand-in for the Analytics Engine binding: it records the data points it is given.
 * The real dataset cannot run here (local dev and this test pool accept writes and drop
 * them), so the Worker is handed this object as RPC_METRICS instead.
 */
function recordingDataset(): AnalyticsEngineDataset & { points: AnalyticsEngineDataPoint[] } {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, writeDataPoint: (point) => void (point && points.push(point)) };
}

const ctx = {
  waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined),
  passThroughOnException() {},
} as unknown as ExecutionContext;

function post(protocol: "connect" | "grpc-web", method: string, body: object): Request {
  if (protocol === "connect") {
    return new Request(`${workerOrigin}/acme.user.v1.UserService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: testAuth.bearer },
      body: JSON.stringify(body),
    });
  }
  const json = new TextEncoder().encode(JSON.stringify(body));
  const frame = new Uint8Array(5 + json.byteLength);
  new DataView(frame.buffer).setUint32(1, json.byteLength);
  frame.set(json, 5);
  return new Request(`${workerOrigin}/acme.user.v1.UserService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+json", authorization: testAuth.bearer },
    body: frame,
  });
}

describe("RPC metrics on the Worker", () => {
  it("should write one Analytics Engine data point per RPC: method, code and seconds", async () => {
    const worker = (await import("../../src/runtime/worker/index.ts")).default;
    const dataset = recordingDataset();
    // A bindings object of its own, so the Worker builds an app around the stand-in.
    const bound = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, RPC_METRICS: dataset };
    const call = (request: Request) => worker.fetch(request as Parameters<typeof worker.fetch>[0], bound, ctx);

    expect((await call(post("connect", "ListUsers", {}))).status).toBe(200);
    expect((await call(post("connect", "GetUser", { id: crypto.randomUUID() }))).status).toBe(404);
    expect((await call(post("connect", "GetUser", { id: "not-a-uuid" }))).status).toBe(400);
    const grpcWeb = await call(post("grpc-web", "GetUser", { id: crypto.randomUUID() }));
    expect(grpcWeb.status).toBe(200);
    await grpcWeb.arrayBuffer();

    expect(dataset.points.map((p) => ({ indexes: p.indexes, blobs: p.blobs }))).toEqual([
      { indexes: ["acme.user.v1.UserService/ListUsers"], blobs: ["acme.user.v1.UserService/ListUsers", "OK"] },
      { indexes: ["acme.user.v1.UserService/GetUser"], blobs: ["acme.user.v1.UserService/GetUser", "NOT_FOUND"] },
      { indexes: ["acme.user.v1.UserService/GetUser"], blobs: ["acme.user.v1.UserService/GetUser", "INVALID_ARGUMENT"] },
      { indexes: ["acme.user.v1.UserService/GetUser"], blobs: ["acme.user.v1.UserService/GetUser", "NOT_FOUND"] },
    ]);
    for (const point of dataset.points) {
      expect(point.doubles).toHaveLength(1);
      expect(point.doubles![0]).toBeGreaterThanOrEqual(0);
    }
  });

  it("should serve with the dataset wrangler.toml binds (its writes are dropped locally)", async () => {
    expect(typeof env.RPC_METRICS?.writeDataPoint).toBe("function");
    const response = await workerFetch(`${workerOrigin}/acme.user.v1.UserService/ListUsers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: testAuth.bearer },
      body: "{}",
    });
    expect(response.status).toBe(200);
  });
});
