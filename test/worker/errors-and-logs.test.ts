import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { traceIdOf } from "../../src/client/error-details.ts";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { newTraceparent } from "../shared/trace-assertions.ts";
import { testAuth, workerFetch, workerOrigin } from "./worker-fetch.ts";

const transport = createConnectTransport({ baseUrl: workerOrigin, fetch: workerFetch as typeof fetch });
afterEach(() => vi.restoreAllMocks());

/** The JSON lines the Worker wrote through console.log / console.error. */
function logLines(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls
    .map((args) => String(args[0]))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

describe("errors and logs on the Worker", () => {
  it("should hide an unexpected failure behind internal with the trace id, and log the stack", async () => {
    const id = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO orders (id, user_id, items_json, create_time_ms) VALUES (?, ?, ?, ?)")
      .bind(id, crypto.randomUUID(), "{not json", Date.now())
      .run();
    const errors = vi.spyOn(console, "error");
    const caller = newTraceparent();
    const error = await createClient(OrderService, transport)
      .getOrder({ id }, { headers: { traceparent: caller.header } })
      .catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Internal);
    expect((error as ConnectError).rawMessage).toBe(`internal error (trace id ${caller.traceId})`);
    expect(traceIdOf(error)).toBe(caller.traceId);
    const line = logLines(errors).find((l) => l.procedure === "acme.order.v1.OrderService/GetOrder");
    expect(line).toMatchObject({ level: "error", code: "INTERNAL", trace_id: caller.traceId, protocol: "connect" });
    expect(String((line?.error as { stack?: string })?.stack)).toContain("SyntaxError");
  });

  it("should log one JSON line per RPC with the caller's trace id", async () => {
    const logs = vi.spyOn(console, "log");
    const caller = newTraceparent();
    await createClient(UserService, transport).listUsers({}, { headers: { traceparent: caller.header } });
    const line = logLines(logs).find((l) => l.trace_id === caller.traceId);
    expect(line).toMatchObject({ level: "info", procedure: "acme.user.v1.UserService/ListUsers", code: "OK" });
    expect(Date.parse(String(line?.time))).not.toBeNaN();
  });
});

describe("trace ids on a Worker without tracing", () => {
  it("should log the caller's trace id and pass it to the downstream call", async () => {
    const worker = (await import("../../src/runtime/worker/index.ts")).default;
    const { user } = await createClient(UserService, transport).createUser({
      email: `${crypto.randomUUID()}@example.com`,
      displayName: "T",
    });
    const logs = vi.spyOn(console, "log");
    const caller = newTraceparent();
    const request = new Request(`${workerOrigin}/acme.order.v1.OrderService/CreateOrder`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: caller.header, authorization: testAuth.bearer },
      body: JSON.stringify({ userId: user?.id, items: [{ sku: "A", quantity: 1 }] }),
    });
    const untraced = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined };
    const ctx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined), passThroughOnException() {} };
    const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], untraced, ctx as unknown as ExecutionContext);
    expect(response.status, await response.clone().text()).toBe(200);
    const lines = logLines(logs).filter((l) => l.trace_id === caller.traceId);
    expect(lines.map((l) => l.procedure).sort()).toEqual(["acme.order.v1.OrderService/CreateOrder", "acme.user.v1.UserService/GetUser"]);
    expect(lines[0]?.span_id).not.toBe(caller.spanId);
  });
});
