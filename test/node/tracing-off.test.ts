import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { newTraceparent } from "../shared/trace-assertions.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { createInMemoryApp } from "./in-memory-app.ts";

// No OpenTelemetry SDK is registered in this file: the API is a no-op, as on a Worker
// without an endpoint. Log lines must still carry ids of their own call.
describe("trace ids with tracing off", () => {
  it("should log the caller's trace id with a span id of this call", async () => {
    const app = await createInMemoryApp();
    const caller = newTraceparent();
    await createClient(UserService, app.transport).listUsers({}, { headers: { traceparent: caller.header } });
    expect(app.logs[0]?.trace_id).toBe(caller.traceId);
    expect(app.logs[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(app.logs[0]?.span_id).not.toBe(caller.spanId);
  });

  it("should start a trace when the caller sent none, and pass it downstream", async () => {
    const app = await createInMemoryApp();
    const { user } = await createClient(UserService, app.transport).createUser({ email: uniqueEmail(), displayName: "T" });
    expect(app.logs[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    app.logs.length = 0;
    await createClient(OrderService, app.transport).createOrder({ userId: user?.id ?? "", items: [{ sku: "A", quantity: 1 }] });
    const [getUser, createOrder] = app.logs; // the inner call finishes first
    expect(createOrder?.procedure).toBe("acme.order.v1.OrderService/CreateOrder");
    expect(getUser?.procedure).toBe("acme.user.v1.UserService/GetUser");
    expect(getUser?.trace_id).toBe(createOrder?.trace_id);
    expect(getUser?.span_id).not.toBe(createOrder?.span_id);
  });

  it("should give every call ids of its own, across refills of the random bytes", async () => {
    const app = await createInMemoryApp();
    const client = createClient(UserService, app.transport);
    // 24 random bytes per call, drawn from blocks of 4,096: 300 calls use two blocks.
    for (let i = 0; i < 300; i++) await client.listUsers({});
    expect(app.logs).toHaveLength(300);
    const traceIds = app.logs.map((line) => line.trace_id ?? "");
    const spanIds = app.logs.map((line) => line.span_id ?? "");
    for (const id of traceIds) expect(id).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    for (const id of spanIds) expect(id).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
    expect(new Set(traceIds).size).toBe(300);
    expect(new Set(spanIds).size).toBe(300);
  });
});
