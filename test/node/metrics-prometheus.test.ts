import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { bufCurl } from "./buf-curl.ts";
import { type PrometheusProcess, startPrometheus } from "./prometheus-process.ts";
import { hasPrometheus, missingPrometheus } from "./prometheus-tools.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-prometheus-"));
let server: ServerProcess;
let prometheus: PrometheusProcess | undefined;

beforeAll(async () => {
  server = await startServerProcess({ DATABASE_PATH: join(dir, "app.db") });
  if (hasPrometheus) prometheus = await startPrometheus(dir, new URL(server.url).host);
}, 30_000);
afterAll(async () => {
  await prometheus?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Connect JSON over HTTP/1.1. */
function connectCall(method: string, body: object, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/acme.user.v1.UserService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: testAuth.bearer, ...headers },
    body: JSON.stringify(body),
  });
}

const method = (name: string) => `acme.user.v1.UserService/${name}`;

describe("GET /metrics", () => {
  it("should answer other methods with 405 and keep serving", async () => {
    for (const verb of ["POST", "DELETE", "PUT"]) {
      const response = await fetch(`${server.url}/metrics`, { method: verb, body: verb === "DELETE" ? null : "x" });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
    }
    const head = await fetch(`${server.url}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect((await connectCall("ListUsers", {})).status).toBe(200);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await metrics.text();
    expect(text).toContain(
      `rpc_server_call_duration_count{rpc_system_name="connectrpc",rpc_method="${method("ListUsers")}",rpc_response_status_code="OK"`,
    );
    // The scope label: its name comes from patches/@opentelemetry+exporter-prometheus+*.patch.
    expect(text).toMatch(/rpc_server_call_duration_count\{[^}]*,otel_scope_name="connect-service-template"[,}]/);
  });
});

describe("metrics scraped by a real Prometheus", () => {
  it("should hold every RPC series by method, protocol and code, the in-flight gauge, and the runtime series", async (context) => {
    context.skip(!prometheus, missingPrometheus);
    // Connect JSON over HTTP/1.1: a success, a domain error, an expired deadline, a validation failure.
    const created = (await (await connectCall("CreateUser", { email: uniqueEmail("prom"), displayName: "Prom" })).json()) as {
      user: { id: string };
    };
    expect((await connectCall("GetUser", { id: crypto.randomUUID() })).status).toBe(404);
    expect((await connectCall("GetUser", { id: created.user.id }, { "connect-timeout-ms": "0" })).status).toBe(504);
    expect((await connectCall("GetUser", { id: "not-a-uuid" })).status).toBe(400);
    // gRPC over h2c and gRPC-Web with buf curl (Go), a server stream among them.
    await bufCurl(server.url, "grpc", "GetUser", { id: created.user.id }, ["--http2-prior-knowledge"]);
    const exported = await bufCurl(server.url, "grpc", "ExportUsers", {}, ["--http2-prior-knowledge"]);
    expect(exported.length).toBeGreaterThan(0);
    await bufCurl(server.url, "grpcweb", "ListUsers", {});

    const count = (name: string, system: string, code: string) =>
      `rpc_server_call_duration_count{job="connect-service-template",rpc_method="${method(name)}",rpc_system_name="${system}",rpc_response_status_code="${code}"}`;
    const expected: Record<string, string> = {
      [count("CreateUser", "connectrpc", "OK")]: "1",
      [count("GetUser", "connectrpc", "NOT_FOUND")]: "1",
      [count("GetUser", "connectrpc", "DEADLINE_EXCEEDED")]: "1",
      [count("GetUser", "connectrpc", "INVALID_ARGUMENT")]: "1",
      [count("GetUser", "grpc", "OK")]: "1",
      [count("ExportUsers", "grpc", "OK")]: "1",
      [count("ListUsers", "grpc", "OK")]: "1",
      // Failures carry error.type; successes do not.
      [`count(${count("GetUser", "connectrpc", "NOT_FOUND").replace("}", ',error_type="NOT_FOUND"}')})`]: "1",
      [`count(${count("GetUser", "grpc", "OK").replace("}", ',error_type!=""}')}) or vector(0)`]: "0",
      // Every call has ended: nothing in flight.
      [`sum(rpc_server_active_calls{rpc_method="${method("ExportUsers")}"})`]: "0",
      [`count(rpc_server_call_duration_bucket{rpc_method="${method("GetUser")}",rpc_system_name="grpc",le="+Inf"})`]: "1",
      'up{job="connect-service-template"}': "1",
    };
    const read = async (promql: string) => (await prometheus!.query(promql))[0]?.value[1];
    await expect
      .poll(async () => Object.fromEntries(await Promise.all(Object.keys(expected).map(async (q) => [q, await read(q)]))), {
        timeout: 15_000,
        interval: 500,
      })
      .toEqual(expected);

    for (const runtime of [
      "nodejs_eventloop_delay_p99",
      "nodejs_eventloop_delay_max",
      "process_memory_usage",
      'v8js_memory_heap_used{v8js_heap_space_name="old_space"}',
    ]) {
      const value = Number(await read(runtime));
      expect(value, runtime).toBeGreaterThanOrEqual(0);
    }
    expect(Number(await read("process_memory_usage"))).toBeGreaterThan(10 * 1024 * 1024);
    // Quantiles come out of the scraped buckets (the latency alert takes them over a rate).
    const p99 = Number(
      await read(`histogram_quantile(0.99, sum by (le) (rpc_server_call_duration_bucket{rpc_method="${method("GetUser")}"}))`),
    );
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThanOrEqual(60);
  });

  it("should evaluate the shipped alert rules against the scraped series without errors", async (context) => {
    context.skip(!prometheus, missingPrometheus);
    await expect
      .poll(
        async () =>
          (await prometheus!.rules()).flatMap((g) => g.rules.map((r) => `${r.name}: ${r.health}${r.lastError ? ` ${r.lastError}` : ""}`)),
        { timeout: 10_000 },
      )
      .toEqual(["RpcServerErrorRateHigh: ok", "RpcLatencyP99High: ok", "InstanceDown: ok"]);
    // The instance is up, so InstanceDown has nothing to say.
    expect(await prometheus!.query('ALERTS{alertname="InstanceDown"}')).toEqual([]);
  });
});
