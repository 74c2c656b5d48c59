import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReceivedMetric, startOtlpReceiver } from "../otlp-receiver.ts";
import { startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
const dir = mkdtempSync(join(tmpdir(), "connect-template-otlp-metrics-"));
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

function startExporting(service: string, env: Record<string, string> = {}) {
  return startServerProcess({
    DATABASE_PATH: join(dir, `${service}.db`),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: service,
    ...env,
  });
}

/** A POST of Connect JSON over HTTP/1.1. */
function call(url: string, method: string, body: object): Promise<Response> {
  return fetch(`${url}/acme.user.v1.UserService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: testAuth.bearer },
    body: JSON.stringify(body),
  });
}

function durationPoint(metrics: ReceivedMetric[], service: string, method: string, code: string) {
  return metrics
    .filter((m) => m.service === service && m.name === "rpc.server.call.duration")
    .flatMap((m) => m.dataPoints.map((p) => ({ attributes: p.attributes, count: Number(p.count), unit: m.unit })))
    .find((p) => p.attributes["rpc.method"] === `acme.user.v1.UserService/${method}` && p.attributes["rpc.response.status_code"] === code);
}

describe("OTLP metrics from the Node server", () => {
  it("should push RPC and runtime metrics every OTEL_METRIC_EXPORT_INTERVAL", async () => {
    const service = `metrics-periodic-${crypto.randomUUID()}`;
    const server = await startExporting(service, { OTEL_METRIC_EXPORT_INTERVAL: "300" });
    try {
      expect((await call(server.url, "GetUser", { id: crypto.randomUUID() })).status).toBe(404);
      await expect.poll(() => durationPoint(receiver.metrics, service, "GetUser", "NOT_FOUND"), { timeout: 10_000 }).toBeDefined();
      const point = durationPoint(receiver.metrics, service, "GetUser", "NOT_FOUND")!;
      expect(point.unit).toBe("s");
      expect(point.attributes).toMatchObject({ "rpc.system.name": "connectrpc", "error.type": "NOT_FOUND" });
      expect(point.count).toBe(1);
      const names = new Set(receiver.metrics.filter((m) => m.service === service).map((m) => m.name));
      for (const name of ["rpc.server.active_calls", "nodejs.eventloop.delay.p99", "process.memory.usage", "v8js.memory.heap.used"]) {
        expect(names).toContain(name);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("should push what it holds when stopped, long before the next interval", async () => {
    const service = `metrics-shutdown-${crypto.randomUUID()}`;
    const server = await startExporting(service); // default interval: 60 s
    expect((await call(server.url, "ListUsers", {})).status).toBe(200);
    expect(durationPoint(receiver.metrics, service, "ListUsers", "OK")).toBeUndefined();
    expect(await server.stop()).toBe(0);
    expect(durationPoint(receiver.metrics, service, "ListUsers", "OK")?.count).toBe(1);
  });
});
